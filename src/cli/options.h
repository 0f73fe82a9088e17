// Small helpers shared by the command modules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "domain/election.h"

namespace landslide::cli {

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}.
std::optional<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& text);
// The election of --election FILE, or the built-in 2016 ballot when FILE is empty.
Result<Election> LoadElectionOrDefault(const std::string& file);

}  // namespace landslide::cli
