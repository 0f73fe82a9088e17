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
// Appends the hex of `bytes` to `out`, without a temporary string.
void AppendHex(std::span<const uint8_t> bytes, std::string& out);
// Returns nullopt on odd length or a non-hex character.
std::optional<std::vector<uint8_t>> FromHex(std::string_view hex);
// Decodes into `out`, which must be exactly hex.size() / 2 bytes; false (and `out` unspecified)
// on a size mismatch or a non-hex character. For fixed-size fields, without an allocation.
bool FromHexInto(std::string_view hex, std::span<uint8_t> out);

}  // namespace landslide
