// Lowercase hex for hashes, receipts and keys.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace landslide {

std::string ToHex(std::span<const uint8_t> bytes);
// Returns nullopt on odd length or a non-hex character.
std::optional<std::vector<uint8_t>> FromHex(std::string_view hex);

}  // namespace landslide
