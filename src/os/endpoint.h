// Where a server listens, as people write it: "HOST:PORT" and "http://HOST:PORT[/path]".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace landslide::os {

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::1]:8080" -> {"::1", 8080}. nullopt without a
// host or with a port that is not a number up to 65535.
std::optional<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);
// "http://127.0.0.1:7000/" -> {"127.0.0.1", 7000}: the scheme and any path are dropped; the port
// is required.
std::optional<std::pair<std::string, uint16_t>> HostPortOfUrl(std::string_view url);

}  // namespace landslide::os
