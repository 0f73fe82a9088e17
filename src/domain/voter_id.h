// Voter ids as mailed to voters: three groups of five base58 characters joined by '-',
// e.g. "163uc-3NQXD-Wgfgg" (about 88 bits, so ids cannot be guessed).
#pragma once

#include <string>
#include <string_view>

namespace landslide {

inline constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
inline constexpr size_t kVoterIdLength = 17;

bool IsBase58Char(char c);
bool IsValidVoterId(std::string_view id);

// Builds an id from 15 values in [0, 58); used by the mock registry generator.
std::string VoterIdFromDigits(const unsigned char (&digits)[15]);

}  // namespace landslide
