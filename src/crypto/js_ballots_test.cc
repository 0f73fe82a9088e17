// Two implementations meet, this way round: ballots built by the JavaScript builder
// (verifier/lib/build.js, on @noble/curves; written by verifier/make-vectors.js) verify here,
// their openings open them, their credentials derive from their voter ids, and their tracking
// codes match; and a changed byte in each is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/hex.h"
#include "crypto/verifiable_ballot.h"

namespace landslide::verifiable {
namespace {

Bytes32 Hex32(const nlohmann::json& v) {
  Bytes32 out{};
  EXPECT_TRUE(FromHexInto(v.get<std::string>(), out));
  return out;
}

TEST(JsBallotsTest, EveryBallotBuiltInJavaScriptVerifiesInCpp) {
  std::ifstream in(std::string(LANDSLIDE_SOURCE_DIR) + "/verifier/testdata/js-ballots.jsonl");
  ASSERT_TRUE(in) << "verifier/testdata/js-ballots.jsonl is missing";
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    const auto v = nlohmann::json::parse(line);
    const ElectionContext context(Hex32(v["manifest_hash"]),
                                  *group::Point::Decode(Hex32(v["election_key"])));
    const auto& c = v["contest"];
    const ContestRule rule{c["jurisdiction"].get<std::string>(), c["candidates"].get<uint32_t>(),
                           c["min"].get<uint32_t>(), c["max"].get<uint32_t>()};
    const auto bytes = FromHex(v["ballot"].get<std::string>());
    ASSERT_TRUE(bytes);
    const auto ballot = DecodeBallot(*bytes);
    ASSERT_TRUE(ballot.ok()) << ballot.status().message();
    EXPECT_TRUE(VerifyBallot(context, *ballot, rule).ok()) << line.substr(0, 120);
    EXPECT_EQ(ToHex(Track(*ballot)), v["tracking"].get<std::string>());
    EXPECT_EQ(ballot->credential,
              PublicCredential(v["election"].get<std::string>(), v["voter_id"].get<std::string>()));
    if (!v["opening"].is_null()) {
      const auto opening = DecodeOpening(*FromHex(v["opening"].get<std::string>()));
      ASSERT_TRUE(opening.ok());
      EXPECT_TRUE(CheckOpening(context, *ballot, *opening, rule).ok());
    }
    auto changed = *bytes;
    changed[40 + static_cast<size_t>(checked) % 100] ^= 1;
    const auto bad = DecodeBallot(changed);
    EXPECT_TRUE(!bad.ok() || !VerifyBallot(context, *bad, rule).ok());
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace landslide::verifiable
