#include "common/strings.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

TEST(Strings, PrintableAsciiReplacesEveryOtherByteAndCuts) {
  EXPECT_EQ(PrintableAscii("/votes/\xff\xfeXY\n", 100), "/votes/??XY?");
  EXPECT_EQ(PrintableAscii("abcdef", 3), "abc");
  EXPECT_EQ(PrintableAscii("", 3), "");
}

TEST(Strings, OneLineJoinsLinesAndDropsTrailingBlanks) {
  EXPECT_EQ(OneLine("a\nb\r\n  "), "a b");
  EXPECT_EQ(OneLine("abcdef", 2), "ab");
}

}  // namespace
}  // namespace landslide
