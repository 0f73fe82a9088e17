#include "domain/registry_index.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

VoterHash H(uint8_t b) {
  VoterHash h{};
  h[0] = b;
  h[15] = static_cast<uint8_t>(255 - b);
  return h;
}

TEST(RegistryIndex, FindsEveryEntryAndNothingElse) {
  std::vector<RegistryIndex::Entry> entries;
  for (int i = 200; i > 0; i -= 2)
    entries.push_back({H(static_cast<uint8_t>(i)), static_cast<uint8_t>(i % 51)});
  RegistryIndex index(entries);
  EXPECT_EQ(index.size(), 100u);
  for (int i = 2; i <= 200; i += 2) {
    auto j = index.Find(H(static_cast<uint8_t>(i)));
    ASSERT_TRUE(j) << i;
    EXPECT_EQ(*j, i % 51);
  }
  for (int i = 1; i <= 201; i += 2) EXPECT_FALSE(index.Find(H(static_cast<uint8_t>(i))));
}

TEST(RegistryIndex, DuplicatesKeepTheFirst) {
  RegistryIndex index({{H(1), 3}, {H(1), 4}});
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(*index.Find(H(1)), 3);
}

}  // namespace
}  // namespace landslide
