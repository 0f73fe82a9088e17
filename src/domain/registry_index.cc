#include "domain/registry_index.h"

#include <algorithm>

namespace landslide {

RegistryIndex::RegistryIndex(std::vector<Entry> entries) : entries_(std::move(entries)) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.hash < b.hash; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.hash == b.hash; }),
                 entries_.end());
  entries_.shrink_to_fit();
}

std::optional<JurisdictionIndex> RegistryIndex::Find(const VoterHash& hash) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), hash,
                             [](const Entry& e, const VoterHash& h) { return e.hash < h; });
  if (it == entries_.end() || it->hash != hash) return std::nullopt;
  return it->jurisdiction;
}

}  // namespace landslide
