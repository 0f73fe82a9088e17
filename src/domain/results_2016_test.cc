#include "domain/results_2016.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

TEST(Results2016, EmbeddedFileMatchesFecNationalSums) {
  const auto& rows = Results2016();
  ASSERT_EQ(rows.size(), 51u);
  int64_t total = 0, trump = 0, clinton = 0;
  for (const auto& r : rows) {
    total += r.total;
    trump += r.candidate_votes[0];
    clinton += r.candidate_votes[1];
  }
  // FEC Table 1 (see data/README.md).
  EXPECT_EQ(total, 136669276);
  EXPECT_EQ(trump, 62984828);
  EXPECT_EQ(clinton, 65853514);
  EXPECT_EQ(rows[0].code, "AL");
  EXPECT_EQ(rows[0].name, "Alabama");
}

TEST(Results2016, RejectsRowsWhoseColumnsDoNotAddUp) {
  std::string error;
  auto rows = ParseResults2016("h\nAL,Alabama,10,1,2,3,4,0,1\n", &error);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(error, "line 2 is malformed");
  rows = ParseResults2016("h\nAL,Alabama,11,1,2,3,4,0,1\n", &error);
  EXPECT_EQ(rows.size(), 1u);
}

}  // namespace
}  // namespace landslide
