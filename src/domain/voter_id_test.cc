#include "domain/voter_id.h"

#include <gtest/gtest.h>

namespace landslide {
namespace {

TEST(VoterId, AcceptsWellFormedIds) {
  EXPECT_TRUE(IsValidVoterId("163uc-3NQXD-Wgfgg"));
  EXPECT_TRUE(IsValidVoterId("11111-11111-11111"));
  EXPECT_TRUE(IsValidVoterId("zzzzz-ZZZZZ-99999"));
}

TEST(VoterId, RejectsCharactersOutsideBase58) {
  for (char bad : {'0', 'O', 'I', 'l', '+', '/', ' ', '\0', '\xc3'}) {
    std::string id = "163uc-3NQXD-Wgfgg";
    id[2] = bad;
    EXPECT_FALSE(IsValidVoterId(id)) << "char " << static_cast<int>(bad);
  }
}

TEST(VoterId, RejectsWrongShape) {
  EXPECT_FALSE(IsValidVoterId(""));
  EXPECT_FALSE(IsValidVoterId("163uc3NQXDWgfgg"));
  EXPECT_FALSE(IsValidVoterId("163uc-3NQXD-Wgfg"));
  EXPECT_FALSE(IsValidVoterId("163uc-3NQXD-Wgfggg"));
  EXPECT_FALSE(IsValidVoterId("163uc_3NQXD-Wgfgg"));
  EXPECT_FALSE(IsValidVoterId("163u-c3NQXD-Wgfgg"));
}

TEST(VoterId, AlphabetMatchesPredicate) {
  int accepted = 0;
  for (int c = 0; c < 256; ++c) accepted += IsBase58Char(static_cast<char>(c));
  EXPECT_EQ(accepted, 58);
  for (char c : kBase58Alphabet) EXPECT_TRUE(IsBase58Char(c));
}

TEST(VoterId, FromDigitsIsValid) {
  unsigned char d[15];
  for (int i = 0; i < 15; ++i) d[i] = static_cast<unsigned char>(i * 4);
  std::string id = VoterIdFromDigits(d);
  EXPECT_TRUE(IsValidVoterId(id)) << id;
  EXPECT_EQ(id.substr(0, 6), "159DH-");
}

}  // namespace
}  // namespace landslide
