#include "common/hex.h"

#include <gtest/gtest.h>

#include <array>

namespace landslide {
namespace {

TEST(HexTest, RoundTripsAndAppends) {
  const std::array<uint8_t, 4> bytes = {0x00, 0x0a, 0xbc, 0xff};
  EXPECT_EQ(ToHex(bytes), "000abcff");
  std::string out = "{";
  AppendHex(bytes, out);
  AppendHex({}, out);
  EXPECT_EQ(out, "{000abcff");
  std::array<uint8_t, 4> back{};
  EXPECT_TRUE(FromHexInto("000ABCff", back));
  EXPECT_EQ(back, bytes);
  EXPECT_EQ(FromHex("000abcff"), std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

TEST(HexTest, RejectsWrongSizesAndCharacters) {
  std::array<uint8_t, 2> out{};
  EXPECT_FALSE(FromHexInto("abc", out));
  EXPECT_FALSE(FromHexInto("abcdef", out));
  EXPECT_FALSE(FromHexInto("abcg", out));
  EXPECT_FALSE(FromHex("abc").has_value());
  EXPECT_FALSE(FromHex("zz").has_value());
}

}  // namespace
}  // namespace landslide
