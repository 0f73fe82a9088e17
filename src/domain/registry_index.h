// The frozen voter registry in memory: keyed voter hash -> jurisdiction, about 17 bytes a voter,
// so a region answers 404/422 without a database round trip.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "domain/election.h"

namespace landslide {

using VoterHash = std::array<uint8_t, 16>;  // keyed BLAKE2b of the voter id (crypto/)

class RegistryIndex {
 public:
  struct Entry {
    VoterHash hash;
    JurisdictionIndex jurisdiction;
  };
  RegistryIndex() = default;
  // Sorts the entries; duplicates keep the first.
  explicit RegistryIndex(std::vector<Entry> entries);

  std::optional<JurisdictionIndex> Find(const VoterHash& hash) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;  // sorted by hash
};

}  // namespace landslide
