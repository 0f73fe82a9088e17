// The single-region HTTP contract of docs/API.md, row by row, through real HTTP against a real
// `landslide serve` and a real PostgreSQL. Every refusal is checked for its status, its exact
// error code, a message a person can read, and for changing nothing in the database.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/time.h"
#include "support/landslide_cli.h"
#include "support/pg_harness.h"
#include "support/region_harness.h"

namespace landslide::testing {
namespace {

using nlohmann::json;

constexpr const char* kOnlyInTexas = "Only In Texas";
constexpr const char* kCorsOrigin = "http://example.test";
// Another region of the election, as `landslide up` would name it with --peer.
constexpr const char* kPeerUrl = "https://us-west.example.test:8443";
const std::vector<std::string> kCandidates2016 = {"Donald Trump", "Hillary Clinton", "Gary Johnson",
                                                  "Jill Stein", "Evan McMullin"};

TimePoint At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// A message "for a person": a whole sentence, not a code or a fragment.
bool IsSentence(const json& message) {
  if (!message.is_string()) return false;
  const std::string s = message.get<std::string>();
  if (s.size() < 3 || s.find('\n') != std::string::npos) return false;
  return std::isupper(static_cast<unsigned char>(s.front())) &&
         (s.back() == '.' || s.back() == '!' || s.back() == '?');
}

bool IsLowerHex(const std::string& s, size_t size) {
  return s.size() == size && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool IsRfc3339Utc(const json& v) {
  if (!v.is_string()) return false;
  const std::string s = v.get<std::string>();
  return !s.empty() && s.back() == 'Z' && s.find('T') == 10 && ParseRfc3339(s).has_value();
}

bool IsJsonContentType(const Response& r) {
  auto ct = r.Header("Content-Type");
  if (!ct) return false;
  std::string lower;
  for (char c : *ct)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower.rfind("application/json", 0) == 0;
}

// Status, exact error code, a readable message, and nothing but the contract's fields.
void ExpectError(const Response& r, int status, const std::string& code) {
  SCOPED_TRACE(r.answered() ? "answer: HTTP " + std::to_string(r.status) + " " + r.body
                            : r.Describe());
  ASSERT_EQ(r.status, status) << r.Describe();
  EXPECT_TRUE(IsJsonContentType(r)) << r.Describe();
  ASSERT_TRUE(r.json.is_object());
  EXPECT_EQ(r.json.value("success", true), false);
  EXPECT_EQ(r.json.value("error", ""), code);
  EXPECT_TRUE(IsSentence(r.json.value("message", json())))
      << "the message is not a sentence: " << r.json.value("message", json()).dump();
  std::set<std::string> allowed = {"success", "error", "message"};
  if (status == 409) allowed.insert("voted_at");
  for (const auto& [k, v] : r.json.items()) EXPECT_TRUE(allowed.count(k)) << "extra field " << k;
  if (status == 409) {
    EXPECT_TRUE(IsRfc3339Utc(r.json.value("voted_at", json())));
  }
  if (status == 429 || status == 503) {
    auto retry = r.Header("Retry-After");
    ASSERT_TRUE(retry.has_value()) << "no Retry-After";
    ASSERT_FALSE(retry->empty());
    EXPECT_TRUE(std::all_of(retry->begin(), retry->end(), ::isdigit)) << *retry;
    EXPECT_GE(std::atoi(retry->c_str()), 1);
  }
}

void ExpectCounted(const Response& r, const std::string& region) {
  SCOPED_TRACE(r.Describe());
  ASSERT_EQ(r.status, 201);
  EXPECT_TRUE(IsJsonContentType(r));
  ASSERT_TRUE(r.json.is_object());
  EXPECT_EQ(r.json.value("success", false), true);
  EXPECT_TRUE(IsSentence(r.json.value("message", json())));
  EXPECT_TRUE(IsLowerHex(r.json.value("receipt", ""), 32)) << "receipt is not 32 hex characters";
  EXPECT_EQ(r.json.value("region", ""), region);
  EXPECT_TRUE(IsRfc3339Utc(r.json.value("voted_at", json())));
}

// Row counts of the tables a vote writes: a refusal must leave them as they were.
struct Rows {
  int64_t pollbook, ballots, batches;
  bool operator==(const Rows&) const = default;
};

Rows CountRows(RegionHarness& region) {
  return {region.Count("SELECT count(*) FROM pollbook"),
          region.Count("SELECT count(*) FROM ballots"),
          region.Count("SELECT count(*) FROM batches")};
}

std::ostream& operator<<(std::ostream& o, const Rows& r) {
  return o << "{pollbook " << r.pollbook << ", ballots " << r.ballots << ", batches " << r.batches
           << "}";
}

// Invariant 4: serve never logs a voter id or a choice that was submitted to it.
void ExpectLogHoldsNoIdOrChoice(RegionHarness& region, const std::set<std::string>& ids,
                                const std::set<std::string>& candidates) {
  const std::string log = region.ServeLog();
  EXPECT_NE(log.find("event=serving"), std::string::npos) << "the serve log is not where we look";
  for (const auto& id : ids) {
    EXPECT_EQ(log.find(id), std::string::npos) << "the serve log holds voter id " << id;
  }
  for (const auto& c : candidates) {
    EXPECT_EQ(log.find(c), std::string::npos) << "the serve log holds the choice " << c;
  }
}

// ---------------------------------------------------------------------------------------------
// The main region: the 2016 ballot everywhere plus a candidate only on Texas's ballot, CORS for
// one origin. Shared by the tests of this suite (each uses voters nobody else touched).
class ApiContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RegionOptions o;
    o.voters = 400;
    o.seed = 101;
    o.election_json = ElectionJson(At("2016-11-08T00:00:00Z"), At("2100-01-01T00:00:00Z"),
                                   {{"TX", {kOnlyInTexas}}});
    o.serve_flags = {"--cors-origin",         kCorsOrigin, "--peer",
                     "r1=http://127.0.0.1:1", "--peer",    std::string("us-west=") + kPeerUrl};
    region_ = std::make_unique<RegionHarness>(o);
    start_ = std::make_unique<::testing::AssertionResult>(region_->Start());
  }
  static void TearDownTestSuite() {
    region_.reset();
    start_.reset();
    used_.clear();
    counted_.clear();
    submitted_ids_.clear();
    submitted_candidates_.clear();
  }

  void SetUp() override { ASSERT_TRUE(*start_); }
  void TearDown() override {
    if (region_ && *start_) {
      ExpectLogHoldsNoIdOrChoice(*region_, submitted_ids_, submitted_candidates_);
    }
  }

  RegionHarness& region() { return *region_; }

  // A registered voter no other test has used; in `state` if given, outside `not_state` if given.
  RegistryVoter FreshVoter(const std::string& state = "", const std::string& not_state = "") {
    for (const auto& v : region_->voters()) {
      if (used_.count(v.id)) continue;
      if (!state.empty() && v.state != state) continue;
      if (!not_state.empty() && v.state == not_state) continue;
      used_.insert(v.id);
      return v;
    }
    ADD_FAILURE() << "out of fresh voters (state " << state << ")";
    return {"", ""};
  }

  // POST /votes, remembering what we sent (for the log check) and what was counted (for the
  // tallies).
  Response Vote(HttpClient& c, const RegistryVoter& v, const std::string& candidate,
                const Headers& headers = {}) {
    submitted_ids_.insert(v.id);
    submitted_candidates_.insert(candidate);
    Response r = c.Post("/votes", VoteBody(v.id, candidate), headers);
    if (r.status == 201) counted_.try_emplace(v.id, std::make_pair(v.state, candidate));
    return r;
  }
  Response PostRaw(HttpClient& c, const std::string& path, const std::string& body,
                   const Headers& headers = {}) {
    for (const auto& v : region_->voters()) {
      if (body.find(v.id) != std::string::npos) submitted_ids_.insert(v.id);
    }
    return c.Post(path, body, headers);
  }

  static std::unique_ptr<RegionHarness> region_;
  static std::unique_ptr<::testing::AssertionResult> start_;
  static std::set<std::string> used_;
  static std::map<std::string, std::pair<std::string, std::string>>
      counted_;  // id -> state, choice
  static std::set<std::string> submitted_ids_;
  static std::set<std::string> submitted_candidates_;
};

std::unique_ptr<RegionHarness> ApiContractTest::region_;
std::unique_ptr<::testing::AssertionResult> ApiContractTest::start_;
std::set<std::string> ApiContractTest::used_;
std::map<std::string, std::pair<std::string, std::string>> ApiContractTest::counted_;
std::set<std::string> ApiContractTest::submitted_ids_;
std::set<std::string> ApiContractTest::submitted_candidates_;

TEST_F(ApiContractTest, CountedVoteIs201WithReceiptRegionAndTime) {
  auto c = region().Client();
  const Rows before = CountRows(region());
  RegistryVoter v = FreshVoter();
  Response r = Vote(*c, v, "Hillary Clinton");
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(r, "r1"));
  const std::string receipt = r.json["receipt"];
  // Stored exactly once, under the voter's hash only, in the same transaction as its ballot.
  EXPECT_EQ(region().PollbookRows(v.id), 1);
  EXPECT_EQ(region().BallotsWithReceipt(receipt), 1);
  const Rows after = CountRows(region());
  EXPECT_EQ(after.pollbook, before.pollbook + 1);
  EXPECT_EQ(after.ballots, before.ballots + 1);
  // voted_at is this vote's time: within a minute of our clock (same machine).
  auto voted_at = ParseRfc3339(r.json["voted_at"].get<std::string>());
  ASSERT_TRUE(voted_at.has_value());
  EXPECT_LT(std::chrono::abs(*voted_at - Now()), std::chrono::minutes(1));
  EXPECT_FALSE(r.Header("Access-Control-Allow-Origin").has_value()) << "CORS without an Origin";
}

TEST_F(ApiContractTest, MalformedVoteBodiesAre400AndChangeNothing) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  const std::string id = v.id;
  const std::vector<std::pair<std::string, std::string>> cases = {
      // not JSON
      {"empty body", ""},
      {"plain text", "hello"},
      {"truncated object", R"({"id": ")" + id + R"(", "candidate": "Donald Trump")"},
      {"trailing garbage", R"({"id": ")" + id + R"(", "candidate": "Donald Trump"} x)"},
      {"two objects", R"({"id": ")" + id + R"(", "candidate": "Donald Trump"}{})"},
      {"single quotes", "{'id': '" + id + "', 'candidate': 'Donald Trump'}"},
      {"trailing comma", R"({"id": ")" + id + R"(", "candidate": "Donald Trump",})"},
      {"array", R"([")" + id + R"(", "Donald Trump"])"},
      {"string", R"("Donald Trump")"},
      {"null", "null"},
      {"number", "42"},
      // wrong types
      {"id is a number", R"({"id": 12345, "candidate": "Donald Trump"})"},
      {"id is an array", R"({"id": [")" + id + R"("], "candidate": "Donald Trump"})"},
      {"candidate is null", R"({"id": ")" + id + R"(", "candidate": null})"},
      {"candidate is a number", R"({"id": ")" + id + R"(", "candidate": 1})"},
      {"candidate is true", R"({"id": ")" + id + R"(", "candidate": true})"},
      {"candidate is an object",
       R"({"id": ")" + id + R"(", "candidate": {"name": "Donald Trump"}})"},
      // missing fields
      {"empty object", "{}"},
      {"no candidate", R"({"id": ")" + id + R"("})"},
      {"no id", R"({"candidate": "Donald Trump"})"},
      // unknown fields
      {"extra field", R"({"id": ")" + id + R"(", "candidate": "Donald Trump", "state": "TX"})"},
      {"misspelt key", R"({"ID": ")" + id + R"(", "candidate": "Donald Trump"})"},
      // duplicate keys (which one would count?)
      {"id twice", R"({"id": ")" + id + R"(", "id": ")" + id + R"(", "candidate": "Jill Stein"})"},
      {"candidate twice",
       R"({"id": ")" + id + R"(", "candidate": "Jill Stein", "candidate": "Donald Trump"})"},
      // bad UTF-8
      {"invalid UTF-8 byte", R"({"id": ")" + id + "\", \"candidate\": \"Donald Trump\xff\"}"},
      {"overlong UTF-8", R"({"id": ")" + id +
                             "\", \"candidate\": \"\xc0\xaf"
                             "Donald Trump\"}"},
      {"truncated UTF-8", R"({"id": ")" + id + "\", \"candidate\": \"Donald Trump\xe2\x82\"}"},
      // bad id format
      {"id not in three groups", R"({"id": "abc", "candidate": "Donald Trump"})"},
      {"empty id", R"({"id": "", "candidate": "Donald Trump"})"},
      {"id group too short", R"({"id": "163uc-3NQXD-Wgfg", "candidate": "Donald Trump"})"},
      {"id group too long", R"({"id": "163uc-3NQXD-Wgfggg", "candidate": "Donald Trump"})"},
      {"id with a fourth group",
       R"({"id": "163uc-3NQXD-Wgfgg-abcde", "candidate": "Donald Trump"})"},
      {"id not base58", R"({"id": "0OIl0-abcde-fghij", "candidate": "Donald Trump"})"},
      {"id with underscores", R"({"id": "163uc_3NQXD_Wgfgg", "candidate": "Donald Trump"})"},
      {"id with a space", R"({"id": " )" + id + R"(", "candidate": "Donald Trump"})"},
  };
  const Rows before = CountRows(region());
  for (const auto& [what, body] : cases) {
    SCOPED_TRACE(what);
    ExpectError(PostRaw(*c, "/votes", body), 400, "bad_request");
  }
  // A bad Idempotency-Key is refused before anything is recorded, even on a valid body.
  const std::vector<std::pair<std::string, std::string>> keys = {
      {"empty key", ""},
      {"short key", "abc"},
      {"15 characters", "123456789012345"},
      {"129 characters", std::string(129, 'k')},
      {"space inside", "key with a space inside"},
      {"non-ASCII", "cl\xc3\xa9-d'idempotence-1234567"},
  };
  for (const auto& [what, key] : keys) {
    SCOPED_TRACE(what);
    submitted_candidates_.insert("Donald Trump");
    ExpectError(Vote(*c, v, "Donald Trump", {{"Idempotency-Key", key}}), 400, "bad_request");
  }
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(id), 0);
  // The voter was not used up by any of it.
  ExpectCounted(Vote(*c, v, "Donald Trump"), "r1");
}

TEST_F(ApiContractTest, MalformedBallotBodiesAre400) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not JSON", "id=" + v.id},
      {"empty body", ""},
      {"missing id", "{}"},
      {"id is a number", R"({"id": 7})"},
      {"unknown field", R"({"id": ")" + v.id + R"(", "candidate": "Jill Stein"})"},
      {"id twice", R"({"id": ")" + v.id + R"(", "id": ")" + v.id + R"("})"},
      {"bad id format", R"({"id": "not-an-id"})"},
      {"invalid UTF-8", "{\"id\": \"\xff\xfe\"}"},
  };
  const Rows before = CountRows(region());
  for (const auto& [what, body] : cases) {
    SCOPED_TRACE(what);
    ExpectError(PostRaw(*c, "/ballot", body), 400, "bad_request");
  }
  EXPECT_EQ(CountRows(region()), before);
}

TEST_F(ApiContractTest, MalformedHttpIs400AndChangesNothing) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  submitted_ids_.insert(v.id);
  const std::string body = VoteBody(v.id, "Gary Johnson");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no request line", "NONSENSE\r\n\r\n"},
      {"bad Content-Length",
       "POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: lots\r\n\r\n" +
           body},
      {"two Content-Lengths",
       "POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nContent-Length: 3\r\n\r\n" + body},
      {"bad chunk size",
       "POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\n\r\nzz\r\n" +
           body + "\r\n0\r\n\r\n"},
      {"header without colon", "POST /votes HTTP/1.1\r\nHost x\r\n\r\n"},
  };
  const Rows before = CountRows(region());
  for (const auto& [what, raw] : cases) {
    SCOPED_TRACE(what);
    ExpectError(c->SendRaw(raw), 400, "bad_request");
  }
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 0);
  // A well-formed chunked request is fine.
  submitted_candidates_.insert("Gary Johnson");
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  Response ok = c->SendRaw(
      "POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  ExpectCounted(ok, "r1");
  if (ok.status == 201) counted_.try_emplace(v.id, std::make_pair(v.state, "Gary Johnson"));
}

TEST_F(ApiContractTest, UnknownVoterIs404AndChangesNothing) {
  auto c = region().Client();
  // Well-formed ids that are not in the registry (the registry holds 400 random ids).
  const std::vector<std::string> strangers = {"163uc-3NQXD-Wgfgg", "zzzzz-zzzzz-zzzzz",
                                              "11111-11111-11111"};
  const Rows before = CountRows(region());
  for (const auto& id : strangers) {
    SCOPED_TRACE(id);
    ExpectError(Vote(*c, {id, "CA"}, "Hillary Clinton"), 404, "unknown_voter");
    ExpectError(Vote(*c, {id, "CA"}, "Hillary Clinton", {{"Idempotency-Key", "stranger-key-0001"}}),
                404, "unknown_voter");
    ExpectError(c->Post("/ballot", BallotBody(id)), 404, "unknown_voter");
  }
  EXPECT_EQ(CountRows(region()), before);
}

TEST_F(ApiContractTest, SecondVoteIs409WithVotedAtAndChangesNothing) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  Response first = Vote(*c, v, "Jill Stein");
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(first, "r1"));
  const Rows before = CountRows(region());
  const std::vector<Headers> retries = {{},
                                        {{"Idempotency-Key", "a-different-key-0001"}},
                                        {{"Idempotency-Key", "a-different-key-0002"}}};
  for (const std::string& candidate : std::vector<std::string>{"Jill Stein", "Donald Trump"}) {
    for (const auto& h : retries) {
      SCOPED_TRACE(candidate + (h.empty() ? " without a key" : " with key " + h[0].second));
      Response again = Vote(*c, v, candidate, h);
      ExpectError(again, 409, "already_voted");
      // The time of the counted ballot, not of this attempt.
      EXPECT_EQ(again.json.value("voted_at", ""), first.json["voted_at"].get<std::string>());
    }
  }
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 1);
  EXPECT_EQ(region().BallotsWithReceipt(first.json["receipt"]), 1);
}

TEST_F(ApiContractTest, OversizeBodyIs413AndChangesNothing) {
  RegistryVoter v = FreshVoter();
  submitted_ids_.insert(v.id);
  submitted_candidates_.insert("Evan McMullin");
  const std::string body = VoteBody(v.id, "Evan McMullin");
  // Valid JSON padded with whitespace: only the size is wrong.
  auto padded = [&](size_t size) { return body + std::string(size - body.size(), ' '); };
  const Rows before = CountRows(region());
  for (size_t size : {size_t{1025}, size_t{2048}, size_t{64} * 1024}) {
    SCOPED_TRACE(size);
    auto c = region().Client();
    ExpectError(c->Post("/votes", padded(size)), 413, "too_large");
    ExpectError(c->Post("/ballot", BallotBody(v.id) + std::string(size, ' ')), 413, "too_large");
  }
  {
    // Chunked, so the size is only known while reading.
    auto c = region().Client();
    std::string big = padded(3000);
    char hex[16];
    std::snprintf(hex, sizeof hex, "%zx", big.size());
    ExpectError(c->SendRaw("POST /votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n" +
                           std::string(hex) + "\r\n" + big + "\r\n0\r\n\r\n"),
                413, "too_large");
  }
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 0);
  // Exactly 1 KiB is allowed.
  auto c = region().Client();
  Response ok = c->Post("/votes", padded(1024));
  ExpectCounted(ok, "r1");
  if (ok.status == 201) counted_.try_emplace(v.id, std::make_pair(v.state, "Evan McMullin"));
}

TEST_F(ApiContractTest, NonJsonContentTypeIs415AndChangesNothing) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  submitted_ids_.insert(v.id);
  submitted_candidates_.insert("Hillary Clinton");
  const std::string body = VoteBody(v.id, "Hillary Clinton");
  const Rows before = CountRows(region());
  for (const std::string& type : std::vector<std::string>{
           "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
           "application/jsonx", "text/json", "application/xml", ""}) {
    SCOPED_TRACE("Content-Type: " + type);
    ExpectError(c->Post("/votes", body, {{"Content-Type", type}}), 415, "unsupported_media_type");
    ExpectError(c->Post("/ballot", BallotBody(v.id), {{"Content-Type", type}}), 415,
                "unsupported_media_type");
  }
  {
    SCOPED_TRACE("no Content-Type");
    ExpectError(c->Request("POST", "/votes", body, {}), 415, "unsupported_media_type");
    ExpectError(c->Request("POST", "/ballot", BallotBody(v.id), {}), 415, "unsupported_media_type");
  }
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 0);
  // JSON with parameters, in any case, is JSON.
  Response ballot =
      c->Post("/ballot", BallotBody(v.id), {{"Content-Type", "Application/JSON; charset=UTF-8"}});
  EXPECT_EQ(ballot.status, 200) << ballot.Describe();
  ExpectCounted(
      Vote(*c, v, "Hillary Clinton", {{"Content-Type", "application/json; charset=utf-8"}}), "r1");
}

TEST_F(ApiContractTest, CandidateNotOnTheVotersBallotIs422AndChangesNothing) {
  auto c = region().Client();
  RegistryVoter outsider = FreshVoter("", "TX");
  RegistryVoter texan = FreshVoter("TX");
  ASSERT_FALSE(texan.id.empty()) << "the registry has no Texan; pick another seed";
  const Rows before = CountRows(region());
  for (const std::string& candidate : std::vector<std::string>{
           std::string(kOnlyInTexas), std::string("Nobody At All"), std::string("hillary clinton"),
           std::string("Hillary Clinton "), std::string("Hillary  Clinton")}) {
    SCOPED_TRACE(candidate);
    ExpectError(Vote(*c, outsider, candidate), 422, "not_on_ballot");
    ExpectError(Vote(*c, outsider, candidate, {{"Idempotency-Key", "not-on-ballot-key-01"}}), 422,
                "not_on_ballot");
  }
  ExpectError(Vote(*c, texan, "Nobody At All"), 422, "not_on_ballot");
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(outsider.id), 0);
  EXPECT_EQ(region().PollbookRows(texan.id), 0);
  // Texas's own candidate is on a Texan's ballot; the outsider still has a vote.
  ExpectCounted(Vote(*c, texan, kOnlyInTexas), "r1");
  ExpectCounted(Vote(*c, outsider, "Gary Johnson", {{"Idempotency-Key", "not-on-ballot-key-01"}}),
                "r1");
}

TEST_F(ApiContractTest, SameIdempotencyKeyReturnsTheSameReceipt) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  const Headers key = {{"Idempotency-Key", "retry-key-0123456789"}};
  Response first = Vote(*c, v, "Donald Trump", key);
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(first, "r1"));
  const Rows before = CountRows(region());
  for (int i = 0; i < 3; ++i) {
    // A new connection each time, like a client that lost the first answer.
    auto fresh = region().Client();
    Response again = Vote(*fresh, v, "Donald Trump", key);
    ASSERT_NO_FATAL_FAILURE(ExpectCounted(again, "r1"));
    EXPECT_EQ(again.json["receipt"], first.json["receipt"]);
    EXPECT_EQ(again.json["voted_at"], first.json["voted_at"]);
    EXPECT_EQ(again.json["region"], first.json["region"]);
  }
  // Another key, or none, is another attempt: already voted.
  ExpectError(Vote(*c, v, "Donald Trump", {{"Idempotency-Key", "retry-key-9876543210"}}), 409,
              "already_voted");
  ExpectError(Vote(*c, v, "Donald Trump"), 409, "already_voted");
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 1);
  EXPECT_EQ(region().BallotsWithReceipt(first.json["receipt"]), 1);
  // The same key from another voter is that voter's own ballot, with its own receipt.
  RegistryVoter other = FreshVoter();
  Response theirs = Vote(*c, other, "Donald Trump", key);
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(theirs, "r1"));
  EXPECT_NE(theirs.json["receipt"], first.json["receipt"]);
  EXPECT_EQ(region().PollbookRows(other.id), 1);
}

TEST_F(ApiContractTest, BallotShowsTheVotersStateAndCandidates) {
  auto c = region().Client();
  RegistryVoter texan = FreshVoter("TX");
  RegistryVoter other = FreshVoter("", "TX");
  submitted_ids_.insert({texan.id, other.id});
  const Rows before = CountRows(region());
  for (const auto& [v, expected] :
       std::vector<std::pair<RegistryVoter, std::vector<std::string>>>{{texan,
                                                                        [] {
                                                                          auto c = kCandidates2016;
                                                                          c.push_back(kOnlyInTexas);
                                                                          return c;
                                                                        }()},
                                                                       {other, kCandidates2016}}) {
    SCOPED_TRACE(v.state);
    Response r = c->Post("/ballot", BallotBody(v.id));
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(IsJsonContentType(r));
    EXPECT_EQ(r.json.value("state", ""), v.state);
    EXPECT_EQ(r.json.value("candidates", json::array()), json(expected));
  }
  EXPECT_EQ(CountRows(region()), before) << "looking at a ballot is not voting";
  Response voted = Vote(*c, other, "Evan McMullin");
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(voted, "r1"));
  Response after = c->Post("/ballot", BallotBody(other.id));
  ExpectError(after, 409, "already_voted");
  EXPECT_EQ(after.json.value("voted_at", ""), voted.json["voted_at"].get<std::string>());
}

TEST_F(ApiContractTest, ResultsAreExactAfterVotes) {
  auto c = region().Client();
  // A few more votes across states and candidates, on top of whatever this suite counted.
  std::vector<std::pair<RegistryVoter, std::string>> plan;
  for (int i = 0; i < 12; ++i) plan.emplace_back(FreshVoter("", "TX"), kCandidates2016[i % 5]);
  plan.emplace_back(FreshVoter("TX"), kOnlyInTexas);
  plan.emplace_back(FreshVoter("TX"), "Hillary Clinton");
  for (const auto& [v, candidate] : plan) {
    ASSERT_NO_FATAL_FAILURE(ExpectCounted(Vote(*c, v, candidate), "r1"));
  }
  // What we were told was counted, by candidate and by state.
  std::map<std::string, int64_t> by_candidate;
  std::map<std::string, std::map<std::string, int64_t>> by_state;
  for (const auto& [id, sc] : counted_) {
    by_candidate[sc.second]++;
    by_state[sc.first][sc.second]++;
  }
  const int64_t total = static_cast<int64_t>(counted_.size());
  ASSERT_EQ(region().Count("SELECT count(*) FROM ballots"), total)
      << "the ballot box holds ballots nobody was told about, or misses some";

  // The tallier is asynchronous: wait until it has counted everything, then compare exactly.
  Response votes;
  ASSERT_TRUE(Eventually([&] {
    votes = c->Get("/votes");
    return votes.status == 200 && votes.json.value("total_count", int64_t{-1}) == total;
  })) << "GET /votes never reached "
      << total << ": " << votes.Describe();
  EXPECT_TRUE(IsJsonContentType(votes));
  const json& j = votes.json;
  EXPECT_EQ(j.value("election", ""), "Integration test election");
  EXPECT_TRUE(IsRfc3339Utc(j.value("as_of", json())));
  ASSERT_TRUE(j["candidates"].is_array());
  std::set<std::string> seen;
  for (const auto& row : j["candidates"]) {
    const std::string name = row.value("candidate", "");
    seen.insert(name);
    const int64_t n = row.value("count", int64_t{-1});
    EXPECT_EQ(n, by_candidate[name]) << name;
    EXPECT_NEAR(row.value("percentage", -1.0), 100.0 * n / total, 0.0051) << name;
  }
  std::set<std::string> all(kCandidates2016.begin(), kCandidates2016.end());
  all.insert(kOnlyInTexas);
  EXPECT_EQ(seen, all);
  ASSERT_TRUE(j["states"].is_array());
  EXPECT_EQ(j["states"].size(), 51u);
  int64_t sum = 0;
  for (const auto& s : j["states"]) {
    const std::string code = s.value("state", "");
    SCOPED_TRACE(code);
    const int64_t state_total = s.value("total_count", int64_t{-1});
    sum += state_total;
    int64_t expected_total = 0;
    for (const auto& [cand, n] : by_state[code]) expected_total += n;
    EXPECT_EQ(state_total, expected_total);
    ASSERT_TRUE(s["results"].is_array());
    EXPECT_EQ(s["results"].size(), code == "TX" ? 6u : 5u);
    for (const auto& row : s["results"]) {
      const std::string name = row.value("candidate", "");
      EXPECT_EQ(row.value("count", int64_t{-1}), by_state[code][name]) << name;
      if (state_total > 0) {
        EXPECT_NEAR(row.value("percentage", -1.0), 100.0 * by_state[code][name] / state_total,
                    0.0051);
      }
    }
    // GET /votes/{state} is exactly that element.
    Response one = c->Get("/votes/" + code);
    ASSERT_EQ(one.status, 200) << one.Describe();
    EXPECT_EQ(one.json, s);
  }
  EXPECT_EQ(sum, total);

  for (const std::string& unknown : std::vector<std::string>{"XX", "tx", "TEXAS", "T"}) {
    SCOPED_TRACE(unknown);
    Response r = c->Get("/votes/" + unknown);
    ASSERT_NO_FATAL_FAILURE(ExpectError(r, 404, r.json.value("error", "?")));
    EXPECT_FALSE(r.json.value("error", "").empty());
  }
}

TEST_F(ApiContractTest, ReceiptsAreCountedUnknownOrMalformed) {
  auto c = region().Client();
  RegistryVoter v = FreshVoter();
  Response voted = Vote(*c, v, "Gary Johnson");
  ASSERT_NO_FATAL_FAILURE(ExpectCounted(voted, "r1"));
  const std::string receipt = voted.json["receipt"];

  Response counted = c->Get("/receipts/" + receipt);
  ASSERT_EQ(counted.status, 200) << counted.Describe();
  EXPECT_TRUE(IsJsonContentType(counted));
  EXPECT_EQ(counted.json.value("receipt", ""), receipt);
  EXPECT_EQ(counted.json.value("status", ""), "counted");
  // Where the ballot is, as the database has it.
  auto* db = region().Db();
  ASSERT_NE(db, nullptr);
  auto row = db->Exec(
      "SELECT b.shard, b.seq, encode(t.head, 'hex') FROM ballots b JOIN batches t "
      "USING (shard, seq) WHERE b.receipt = '\\x" +
      receipt + "'::bytea");
  ASSERT_TRUE(row.ok()) << row.status().message();
  ASSERT_EQ(row->rows(), 1);
  EXPECT_EQ(counted.json.value("shard", ""), std::string(row->Get(0, 0)));
  EXPECT_EQ(counted.json.value("batch", int64_t{-1}), row->GetInt(0, 1));
  EXPECT_EQ(counted.json.value("chain", ""), std::string(row->Get(0, 2)));

  const std::string stranger = "00112233445566778899aabbccddeeff";
  ASSERT_NE(stranger, receipt);
  Response unknown = c->Get("/receipts/" + stranger);
  ASSERT_EQ(unknown.status, 200) << unknown.Describe();
  EXPECT_EQ(unknown.json.value("receipt", ""), stranger);
  EXPECT_EQ(unknown.json.value("status", ""), "unknown");

  for (const std::string& bad : std::vector<std::string>{
           std::string("xyz"), receipt.substr(0, 31), receipt.substr(0, 30), receipt + "0",
           receipt + "00", receipt + receipt, std::string(32, 'g'), std::string(""),
           receipt.substr(0, 31) + "%"}) {
    SCOPED_TRACE("receipt \"" + bad + "\"");
    ExpectError(c->Get("/receipts/" + bad), 400, "bad_request");
  }
}

TEST_F(ApiContractTest, HealthIs200WithChecks) {
  auto c = region().Client();
  Response r = c->Get("/health");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_TRUE(IsJsonContentType(r));
  EXPECT_EQ(r.json.value("status", ""), "ok");
  EXPECT_EQ(r.json.value("region", ""), "r1");
  ASSERT_TRUE(r.json["checks"].is_object()) << r.Describe();
  for (const char* check : {"primary", "replica", "tallier"}) {
    ASSERT_TRUE(r.json["checks"].contains(check)) << check;
    EXPECT_EQ(r.json["checks"][check].value("ok", false), true) << check;
  }
  for (const auto& [name, check] : r.json["checks"].items()) {
    EXPECT_EQ(check.value("ok", false), true) << name;
  }
}

// The voter site fails over between the regions GET /regions lists, posting cross-origin: each
// peer region is an allowed origin.
TEST_F(ApiContractTest, RegionsListsThePeersAndAllowsThemAsOrigins) {
  auto c = region().Client();
  Response r = c->Get("/regions");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.json.value("region", ""), "r1");
  ASSERT_TRUE(r.json["regions"].is_array()) << r.Describe();
  ASSERT_EQ(r.json["regions"].size(), 2u) << r.Describe();
  EXPECT_EQ(r.json["regions"][0].value("name", ""), "r1");
  EXPECT_EQ(r.json["regions"][0].value("url", ""), "http://127.0.0.1:1");
  EXPECT_EQ(r.json["regions"][1].value("name", ""), "us-west");
  EXPECT_EQ(r.json["regions"][1].value("url", ""), kPeerUrl);
  Response preflight =
      c->Request("OPTIONS", "/votes", "",
                 {{"Origin", kPeerUrl},
                  {"Access-Control-Request-Method", "POST"},
                  {"Access-Control-Request-Headers", "content-type, idempotency-key"}});
  EXPECT_EQ(preflight.Header("Access-Control-Allow-Origin").value_or(""), kPeerUrl)
      << preflight.Describe();
  EXPECT_EQ(c->Post("/regions", "{}").status, 405);
}

TEST_F(ApiContractTest, MetricsArePrometheusText) {
  auto c = region().Client();
  ExpectCounted(Vote(*c, FreshVoter(), "Jill Stein"), "r1");
  ExpectError(c->Post("/votes", "nonsense"), 400, "bad_request");
  Response r = c->Get("/metrics");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Header("Content-Type").value_or("").rfind("text/plain", 0), 0u) << r.Describe();
  const std::string& text = r.body;
  EXPECT_NE(text.find("# TYPE landslide_http_responses_total counter"), std::string::npos);
  for (const char* code : {"201", "400"}) {
    const std::string series =
        std::string("landslide_http_responses_total{code=\"") + code + "\"} ";
    size_t at = text.find(series);
    ASSERT_NE(at, std::string::npos) << series << " missing from:\n" << text;
    EXPECT_GE(std::atoll(text.c_str() + at + series.size()), 1) << series;
  }
  // Every line is a comment or "name[{labels}] value".
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    char* end = nullptr;
    std::strtod(line.c_str() + space + 1, &end);
    EXPECT_EQ(*end, '\0') << "not a sample: " << line;
  }
}

TEST_F(ApiContractTest, CorsPreflightEchoesOnlyTheConfiguredOrigin) {
  auto c = region().Client();
  const Headers preflight = {{"Origin", kCorsOrigin},
                             {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "content-type, idempotency-key"}};
  for (const char* path : {"/votes", "/ballot", "/votes/CA", "/health"}) {
    SCOPED_TRACE(path);
    Response r = c->Request("OPTIONS", path, "", preflight);
    ASSERT_TRUE(r.status == 204 || r.status == 200) << r.Describe();
    EXPECT_EQ(r.Header("Access-Control-Allow-Origin").value_or(""), kCorsOrigin);
    std::string methods = r.Header("Access-Control-Allow-Methods").value_or("");
    EXPECT_NE(methods.find("POST"), std::string::npos) << methods;
    std::string allowed = r.Header("Access-Control-Allow-Headers").value_or("");
    std::transform(allowed.begin(), allowed.end(), allowed.begin(), ::tolower);
    EXPECT_NE(allowed.find("content-type"), std::string::npos) << allowed;
    EXPECT_NE(allowed.find("idempotency-key"), std::string::npos) << allowed;

    Response evil =
        c->Request("OPTIONS", path, "",
                   {{"Origin", "http://evil.test"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_FALSE(evil.Header("Access-Control-Allow-Origin").has_value()) << evil.Describe();
    Response none = c->Request("OPTIONS", path, "", {{"Access-Control-Request-Method", "POST"}});
    EXPECT_FALSE(none.Header("Access-Control-Allow-Origin").has_value()) << none.Describe();
  }
  // The real requests carry the header for that origin too, refusals included.
  RegistryVoter v = FreshVoter();
  Response bad = PostRaw(*c, "/votes", "{}", {{"Origin", kCorsOrigin}});
  ExpectError(bad, 400, "bad_request");
  EXPECT_EQ(bad.Header("Access-Control-Allow-Origin").value_or(""), kCorsOrigin);
  Response evil = Vote(*c, v, "Hillary Clinton", {{"Origin", "http://evil.test"}});
  ExpectCounted(evil, "r1");
  EXPECT_FALSE(evil.Header("Access-Control-Allow-Origin").has_value());
  Response results = c->Get("/votes", {{"Origin", kCorsOrigin}});
  EXPECT_EQ(results.Header("Access-Control-Allow-Origin").value_or(""), kCorsOrigin);
}

TEST_F(ApiContractTest, WebsiteAndDashboardAreHtml) {
  auto c = region().Client();
  for (const char* path : {"/", "/results"}) {
    SCOPED_TRACE(path);
    Response r = c->Get(path);
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(r.Header("Content-Type").value_or("").rfind("text/html", 0), 0u) << r.Describe();
    std::string lower = r.body;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    EXPECT_NE(lower.find("<html"), std::string::npos);
    EXPECT_NE(lower.find("</html>"), std::string::npos);
  }
  // The site's scripts are served (the failover router with them); their tests are not.
  for (const char* path : {"/vote.js", "/regions.js", "/results.js"}) {
    Response r = c->Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_NE(r.Header("Content-Type").value_or("").find("javascript"), std::string::npos) << path;
  }
  EXPECT_NE(c->Get("/").body.find("/regions.js"), std::string::npos);
  EXPECT_EQ(c->Get("/regions_test.js").status, 404);
}

// Stops the shared PostgreSQL: votes are refused with 503 (nothing recorded), and flow again
// once it is back. Restores the server whatever happens, for the tests that follow.
TEST_F(ApiContractTest, DatabaseDownIs503WithRetryAfterThenVotesFlowAgain) {
  auto& pg = TestPostgres::Shared();
  auto c = region().Client(std::chrono::seconds(20));
  RegistryVoter v = FreshVoter();
  RegistryVoter reader = FreshVoter();
  submitted_ids_.insert(reader.id);
  const Headers key = {{"Idempotency-Key", "outage-key-0123456789"}};
  const Rows before = CountRows(region());
  region().Db();  // connect now; it will break with the server and reconnect later

  struct Restore {
    TestPostgres& pg;
    bool stopped = false;
    ~Restore() {
      if (stopped) pg.Start();
    }
  } restore{pg};
  pg.Stop();
  restore.stopped = true;

  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("attempt " + std::to_string(i));
    ExpectError(Vote(*c, v, "Hillary Clinton", key), 503, "unavailable");
  }
  ExpectError(Vote(*c, FreshVoter(), "Donald Trump"), 503, "unavailable");
  // Results come from the tallier's memory and stay up.
  EXPECT_EQ(c->Get("/votes").status, 200);
  // Health says why this region cannot take votes.
  Response health;
  EXPECT_TRUE(Eventually([&] {
    health = c->Get("/health");
    return health.status == 503;
  })) << health.Describe();
  if (health.status == 503) {
    EXPECT_EQ(health.json.value("status", ""), "unavailable") << health.Describe();
    EXPECT_EQ(health.json["checks"]["primary"].value("ok", true), false) << health.Describe();
    EXPECT_TRUE(health.Header("Retry-After").has_value());
  }
  // Look-ups that need the database are unavailable too, never a 500.
  ExpectError(c->Post("/ballot", BallotBody(reader.id)), 503, "unavailable");
  ExpectError(c->Get("/receipts/00112233445566778899aabbccddeeff"), 503, "unavailable");

  pg.Start();
  restore.stopped = false;
  // Nothing was recorded by the refused attempts.
  EXPECT_EQ(CountRows(region()), before);
  EXPECT_EQ(region().PollbookRows(v.id), 0);

  // The same attempt is safe to retry and goes through once the database is back.
  Response ok;
  EXPECT_TRUE(Eventually(
      [&] {
        ok = Vote(*c, v, "Hillary Clinton", key);
        if (ok.status != 201 && ok.status != 503) return true;  // anything else is a failure
        return ok.status == 201;
      },
      std::chrono::seconds(30)));
  ExpectCounted(ok, "r1");
  EXPECT_EQ(region().PollbookRows(v.id), 1);
  if (ok.status == 201) {
    EXPECT_EQ(region().BallotsWithReceipt(ok.json["receipt"]), 1);
  }
  EXPECT_TRUE(region().WaitHealthy(std::chrono::seconds(30)));
  Response ballot = c->Post("/ballot", BallotBody(reader.id));
  EXPECT_EQ(ballot.status, 200) << ballot.Describe();
}

// ---------------------------------------------------------------------------------------------
// Regions with other settings: a closed election, and rate limiting on loopback.

TEST(ApiContractElectionWindowTest, OutsideTheVotingWindowIs403AndChangesNothing) {
  RegionOptions o;
  o.voters = 50;
  o.seed = 202;
  o.election_json = ElectionJson(At("2020-01-01T00:00:00Z"), At("2020-01-02T00:00:00Z"));
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());
  std::set<std::string> ids;
  std::set<std::string> candidates = {"Hillary Clinton", "Donald Trump"};
  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    auto c = region.Client();
    for (size_t i = 0; i < 3; ++i) {
      const auto& v = region.voters()[i];
      ids.insert(v.id);
      ExpectError(c->Post("/votes", VoteBody(v.id, "Hillary Clinton")), 403, "election_closed");
      ExpectError(c->Post("/votes", VoteBody(v.id, "Donald Trump"),
                          {{"Idempotency-Key", "closed-window-key-01"}}),
                  403, "election_closed");
    }
    EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), 0);
    EXPECT_EQ(region.Count("SELECT count(*) FROM ballots"), 0);
    EXPECT_EQ(region.Count("SELECT count(*) FROM batches"), 0);
  };
  check("closed in the past");
  region.Terminate();
  region.SetElectionJson(ElectionJson(At("2099-01-01T00:00:00Z"), At("2099-12-31T00:00:00Z")));
  ASSERT_TRUE(region.StartServe());
  check("not open yet");
  region.Terminate();
  ExpectLogHoldsNoIdOrChoice(region, ids, candidates);
}

TEST(ApiContractRateLimitTest, TooManyRequestsAre429WithRetryAfterAndChangeNothing) {
  RegionOptions o;
  o.voters = 50;
  o.seed = 303;
  o.serve_flags = {"--rate-limit", "1", "--rate-burst", "2", "--rate-limit-loopback"};
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());
  auto c = region.Client();
  std::set<std::string> ids;
  std::vector<std::string> refused, counted;
  int retry_after = 0;
  // A burst of 2 at 1 per second: 10 back-to-back votes cannot all pass.
  for (size_t i = 0; i < 10; ++i) {
    const auto& v = region.voters()[i];
    ids.insert(v.id);
    Response r = c->Post("/votes", VoteBody(v.id, "Jill Stein"));
    if (r.status == 429) {
      ExpectError(r, 429, "rate_limited");
      retry_after = std::max(retry_after, std::atoi(r.Header("Retry-After").value_or("0").c_str()));
      refused.push_back(v.id);
    } else {
      ExpectCounted(r, "r1");
      counted.push_back(v.id);
    }
  }
  ASSERT_FALSE(refused.empty()) << "nothing was rate limited";
  Response ballot = c->Post("/ballot", BallotBody(region.voters()[20].id));
  ids.insert(region.voters()[20].id);
  ExpectError(ballot, 429, "rate_limited");
  // GETs are not limited.
  EXPECT_EQ(c->Get("/health").status, 200);
  EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), static_cast<int64_t>(counted.size()));
  EXPECT_EQ(region.Count("SELECT count(*) FROM ballots"), static_cast<int64_t>(counted.size()));
  for (const auto& id : refused) EXPECT_EQ(region.PollbookRows(id), 0);
  // Retry-After means it: after that long, the refused voter gets through.
  std::this_thread::sleep_for(std::chrono::seconds(retry_after) + std::chrono::milliseconds(100));
  ExpectCounted(c->Post("/votes", VoteBody(refused.front(), "Jill Stein")), "r1");
  region.Terminate();
  ExpectLogHoldsNoIdOrChoice(region, ids, {"Jill Stein"});
}

TEST(ServeCli, AMalformedPeerIsABadUsageAndStartsNothing) {
  for (const char* peer :
       {"bogus", "Bad_Name=http://127.0.0.1:1", "us-west=ftp://h:1", "us-west=http://no-port"}) {
    CliRun run = RunLandslide({"serve", "--region", "r1", "--http", "127.0.0.1:1", "--db",
                               "host=/nonexistent", "--keys", "/nonexistent", "--peer", peer});
    EXPECT_EQ(run.exit_code, 2) << peer << ": " << run.err;
  }
}

}  // namespace
}  // namespace landslide::testing
