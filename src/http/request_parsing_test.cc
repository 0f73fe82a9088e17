#include "http/request_parsing.h"

#include <gtest/gtest.h>

#include <cctype>

#include "common/hex.h"

namespace landslide::http {
namespace {

TEST(ParseVoteBody, AcceptsTheContractExample) {
  auto v = ParseVoteBody(R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "Hillary Clinton"})");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->id, "163uc-3NQXD-Wgfgg");
  EXPECT_EQ(v->candidate, "Hillary Clinton");
  auto reordered = ParseVoteBody(R"( {"candidate":"Jill Stein","id":"163uc-3NQXD-Wgfgg"} )");
  ASSERT_TRUE(reordered.ok());
  EXPECT_EQ(reordered->candidate, "Jill Stein");
}

TEST(ParseVoteBody, UnescapesStrings) {
  auto v = ParseVoteBody(R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "Jill \u0053tein"})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->candidate, "Jill Stein");
}

struct BadCase {
  const char* body;
  const char* message;
};

TEST(ParseVoteBody, RejectsEveryMalformedShapeWithAClearMessage) {
  const BadCase cases[] = {
      {"", "the body is not valid JSON"},
      {"not json", "the body is not valid JSON"},
      {"[]", "the body must be a JSON object"},
      {"\"x\"", "the body must be a JSON object"},
      {R"({"id": "163uc-3NQXD-Wgfgg"})", "field \"candidate\" is missing"},
      {R"({"candidate": "Jill Stein"})", "field \"id\" is missing"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "A", "extra": 1})", "unknown field \"extra\""},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "A", "id": "163uc-3NQXD-Wgfgh"})",
       "field \"id\" appears twice"},
      {R"({"id": 163, "candidate": "A"})", "field \"id\" must be a string"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": null})", "field \"candidate\" must be a string"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": ["A"]})",
       "field \"candidate\" must be a string"},
      {R"({"id": "163uc-3NQXD-Wgfg0", "candidate": "A"})",
       "the \"id\" must be three groups of five base58 characters joined by '-'"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": ""})",
       "the \"candidate\" must be a name of 1 to 64 bytes"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "A"} {})", "the body is not valid JSON"},
      {R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "A")", "the body is not valid JSON"},
      {"{\"id\": \"163uc-3NQXD-Wgfgg\", \"candidate\": \"\xff\xfe\"}",
       "the body is not valid JSON"},
  };
  for (const auto& c : cases) {
    auto v = ParseVoteBody(c.body);
    ASSERT_FALSE(v.ok()) << c.body;
    EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(v.status().message(), c.message) << c.body;
  }
}

TEST(ParseVoteBody, RejectsOversizedBodies) {
  std::string body =
      R"({"id": "163uc-3NQXD-Wgfgg", "candidate": ")" + std::string(2000, 'a') + "\"}";
  EXPECT_FALSE(ParseVoteBody(body).ok());
}

TEST(ParseBallotBody, OnlyTheId) {
  EXPECT_TRUE(ParseBallotBody(R"({"id": "163uc-3NQXD-Wgfgg"})").ok());
  EXPECT_FALSE(ParseBallotBody(R"({"id": "163uc-3NQXD-Wgfgg", "candidate": "A"})").ok());
}

TEST(IdempotencyKey, LengthAndCharset) {
  EXPECT_TRUE(IsValidIdempotencyKey("0f8fad5b-d9cb-469f-a165-70867728950e"));
  EXPECT_FALSE(IsValidIdempotencyKey("short"));
  EXPECT_FALSE(IsValidIdempotencyKey(std::string(129, 'a')));
  EXPECT_FALSE(IsValidIdempotencyKey("has a space in it, too long"));
}

}  // namespace
}  // namespace landslide::http

namespace landslide::http {
namespace {

// A structurally valid ballot (its points need not be valid: parsing does not check proofs).
VerifiableBallot SomeBallot() {
  VerifiableBallot b;
  b.credential[0] = 7;
  b.jurisdiction = "AL";
  for (int i = 0; i < 3; ++i) {
    EncryptedSelection sel;
    sel.ciphertext.alpha[1] = static_cast<uint8_t>(i);
    sel.proof.resize(2);
    b.selections.push_back(sel);
  }
  b.sum_proof.resize(1);
  b.signature.s[31] = 9;
  return b;
}

std::string CastJson(const std::string& hex) { return R"({"ballot": ")" + hex + R"("})"; }

TEST(ParseCastBody, TakesTheHexOfTheEncodingAndKeepsItsBytes) {
  const auto bytes = EncodeBallot(SomeBallot());
  auto body = ParseCastBody(CastJson(ToHex(bytes)));
  ASSERT_TRUE(body.ok()) << body.status().message();
  EXPECT_EQ(body->ballot, SomeBallot());
  EXPECT_EQ(body->encoding, bytes);
}

TEST(ParseCastBody, RefusesEveryOtherSpelling) {
  const std::string hex = ToHex(EncodeBallot(SomeBallot()));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_FALSE(ParseCastBody(CastJson(upper)).ok());               // one ballot, one spelling
  EXPECT_FALSE(ParseCastBody(CastJson(hex + "00")).ok());          // trailing bytes
  EXPECT_FALSE(ParseCastBody(CastJson(hex.substr(1))).ok());       // odd length
  EXPECT_FALSE(ParseCastBody(CastJson(hex.substr(0, 200))).ok());  // truncated
  EXPECT_FALSE(ParseCastBody(R"({"ballot": ")" + hex + R"(", "x": "1"})").ok());
  EXPECT_FALSE(ParseCastBody(R"({"ballot": 12})").ok());
  EXPECT_FALSE(ParseCastBody(CastJson(std::string(kMaxVerifiableBodyBytes, 'a'))).ok());
}

TEST(ParseSpoilBody, NeedsAnOpeningOfTheSameSize) {
  const std::string hex = ToHex(EncodeBallot(SomeBallot()));
  BallotOpening opening{{0, 1, 0}, std::vector<Bytes32>(3)};
  auto ok = ParseSpoilBody(R"({"ballot": ")" + hex + R"(", "opening": ")" +
                           ToHex(EncodeOpening(opening)) + R"("})");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->opening, opening);
  opening.choices.pop_back();
  opening.randomness.pop_back();
  EXPECT_FALSE(ParseSpoilBody(R"({"ballot": ")" + hex + R"(", "opening": ")" +
                              ToHex(EncodeOpening(opening)) + R"("})")
                   .ok());
  EXPECT_FALSE(ParseSpoilBody(CastJson(hex)).ok());
}

}  // namespace
}  // namespace landslide::http

namespace landslide::http {
namespace {

// The largest ballot the encoding can express fits the body limit, with its opening.
TEST(ParseSpoilBody, TheLargestBallotFits) {
  VerifiableBallot b;
  b.jurisdiction = std::string(kMaxJurisdictionCodeLength, 'X');
  b.selections.resize(kMaxBallotCandidates);
  for (auto& sel : b.selections) sel.proof.resize(2);
  b.sum_proof.resize(kMaxBallotCandidates + 1);
  BallotOpening o{std::vector<uint8_t>(kMaxBallotCandidates, 0),
                  std::vector<Bytes32>(kMaxBallotCandidates)};
  const std::string body = R"({"ballot": ")" + ToHex(EncodeBallot(b)) + R"(", "opening": ")" +
                           ToHex(EncodeOpening(o)) + R"("})";
  EXPECT_LE(body.size(), kMaxVerifiableBodyBytes);
  EXPECT_TRUE(ParseSpoilBody(body).ok());
}

TEST(BoardPageQuery, ReadsStatusCursorAndLimitStrictly) {
  auto q = ParseBoardPageQuery("");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->kind, BallotKind::kCast);
  EXPECT_FALSE(q->after);
  EXPECT_EQ(q->limit, 1000);
  q = ParseBoardPageQuery("status=spoiled&after=us-east-w1:12:7&limit=50");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->kind, BallotKind::kSpoiled);
  ASSERT_TRUE(q->after);
  EXPECT_EQ(*q->after, (BoardCursor{"us-east-w1", 12, 7}));
  EXPECT_EQ(FormatBoardCursor(*q->after), "us-east-w1:12:7");
  EXPECT_EQ(q->limit, 50);
  for (const char* bad :
       {"status=lost", "limit=0", "limit=10001", "limit=-1", "limit=1e3", "after=x", "after=:1:2",
        "after=a:0:1", "after=a:1:-1", "after=A:1:1", "after=a:1:2:3", "limit=5&limit=6",
        "order=desc", "status", "after=a:06:1", "limit=050"}) {
    EXPECT_FALSE(ParseBoardPageQuery(bad).ok()) << bad;
  }
  // An unknown key is named in the error, but only in plain characters (the message goes into a
  // JSON body, and a byte of 0x80 or more is not UTF-8).
  auto odd = ParseBoardPageQuery("s\xff\xfet\"=1");
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(),
            "unknown parameter \"s??t\"\" (status, after and limit are known)");
}

}  // namespace
}  // namespace landslide::http
