#include "crypto/group.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace landslide::group {
namespace {

Bytes32 FromHex32(std::string_view hex) {
  Bytes32 out{};
  EXPECT_TRUE(FromHexInto(hex, out)) << hex;
  return out;
}

// RFC 9496, appendix A.1: multiples of the generator. They pin libdecaf (and, in the verifier,
// @noble/curves) to the standard group.
TEST(GroupTest, GeneratorMultiplesMatchRfc9496) {
  const char* kMultiples[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
      "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
      "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
  };
  Point p;
  for (const char* hex : kMultiples) {
    EXPECT_EQ(ToHex(p.Encode()), hex);
    p += Point::Generator();
  }
  EXPECT_EQ(BaseMul(Scalar::FromU64(3)).Encode(), FromHex32(kMultiples[3]));
}

TEST(GroupTest, DecodeRefusesNonCanonicalAndOptionallyTheIdentity) {
  const Bytes32 identity{};
  EXPECT_TRUE(Point::Decode(identity).has_value());
  EXPECT_FALSE(Point::Decode(identity, /*allow_identity=*/false).has_value());
  // A negative field element (odd) and a value above the field prime are not encodings.
  EXPECT_FALSE(
      Point::Decode(FromHex32("0100000000000000000000000000000000000000000000000000000000000000")));
  EXPECT_FALSE(
      Point::Decode(FromHex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")));
  // The group order itself is not a canonical scalar; one below it is.
  Bytes32 order = FromHex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  EXPECT_FALSE(Scalar::Decode(order).has_value());
  order[0] = 0xec;
  EXPECT_TRUE(Scalar::Decode(order).has_value());
}

TEST(GroupTest, ArithmeticAgreesAcrossMultiplicationMethods) {
  const Scalar a = Scalar::Random(), b = Scalar::Random();
  const Point p = BaseMul(Scalar::Random());
  EXPECT_EQ(BaseMul(a) + p * b, BaseDoubleMulPublic(a, b, p));
  EXPECT_EQ(Point::Generator() * a, BaseMul(a));
  const FixedBase table(p);
  EXPECT_EQ(table.Mul(a), p * a);
  EXPECT_EQ((p * a) * b, p * (a * b));
  EXPECT_EQ(p * (a + b), p * a + p * b);
  EXPECT_EQ(a * a.Inverse(), Scalar::FromU64(1));
  EXPECT_TRUE((p - p).IsIdentity());
  EXPECT_EQ(p.Double(), p + p);
  const auto round = Point::Decode(p.Encode());
  ASSERT_TRUE(round);
  EXPECT_EQ(*round, p);
  EXPECT_EQ(*Scalar::Decode(a.Encode()), a);
}

TEST(GroupTest, TranscriptFieldsAreLengthPrefixed) {
  auto digest = [](std::string_view x, std::string_view y) {
    Transcript t("tag");
    t.Add(x).Add(y);
    return t.Digest();
  };
  EXPECT_EQ(digest("ab", "c"), digest("ab", "c"));
  EXPECT_NE(digest("ab", "c"), digest("a", "bc"));
  Transcript other("tah");
  other.Add("ab").Add("c");
  EXPECT_NE(other.Digest(), digest("ab", "c"));
}

}  // namespace
}  // namespace landslide::group
