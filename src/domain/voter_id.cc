#include "domain/voter_id.h"

namespace landslide {

bool IsBase58Char(char c) {
  return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'N') ||
         (c >= 'P' && c <= 'Z') || (c >= 'a' && c <= 'k') || (c >= 'm' && c <= 'z');
}

bool IsValidVoterId(std::string_view id) {
  if (id.size() != kVoterIdLength) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 5 || i == 11) {
      if (id[i] != '-') return false;
    } else if (!IsBase58Char(id[i])) {
      return false;
    }
  }
  return true;
}

std::string VoterIdFromDigits(const unsigned char (&digits)[15]) {
  std::string id;
  id.reserve(kVoterIdLength);
  for (int i = 0; i < 15; ++i) {
    if (i == 5 || i == 10) id.push_back('-');
    id.push_back(kBase58Alphabet[digits[i] % 58]);
  }
  return id;
}

}  // namespace landslide
