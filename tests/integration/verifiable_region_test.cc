// A verifiable election in one region, against real PostgreSQL and a real `landslide serve`:
// ballots built and proved by the client (as a voter's device does), cast and spoiled over
// HTTP; the attacks of issue 9 each refused with a clear error and nothing stored; the board,
// the chain and `landslide close`.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/hex.h"
#include "config/election_file.h"
#include "crypto/group.h"
#include "crypto/verifiable_ballot.h"
#include "domain/election.h"
#include "support/http_client.h"
#include "support/region_harness.h"
#include "support/verifiable_record.h"
#include "voting/verifiable_election.h"

namespace landslide::testing {
namespace {

using nlohmann::json;

std::string VerifiableElectionJson() {
  BallotPolicy policy;
  policy.scheme = BallotScheme::kVerifiable;
  policy.results = ResultsMode::kAfterClose;
  return ElectionToJson(Election::Default2016().WithPolicy(policy));
}

class VerifiableRegionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RegionOptions o;
    o.voters = 100;
    o.seed = 909;
    // Batches wait up to 50 ms to fill, so that ballots sent together share a batch.
    o.serve_flags = {"--linger-us", "50000"};
    o.election_json = VerifiableElectionJson();
    o.trustees = true;
    region_ = std::make_unique<RegionHarness>(o);
    start_ = std::make_unique<::testing::AssertionResult>(region_->Start());
    if (!*start_) return;
    auto e = ParseElectionJson(*o.election_json);
    election_ = std::make_unique<Election>(*e);
    auto manifest = region_->Client()->Get("/manifest");
    if (manifest.status != 200) {
      *start_ = ::testing::AssertionFailure() << "GET /manifest: " << manifest.Describe();
      return;
    }
    auto v = VerifiableElection::FromManifest(*election_, manifest.body);
    if (!v.ok()) {
      *start_ = ::testing::AssertionFailure() << v.status().message();
      return;
    }
    verifiable_ = *v;
  }
  static void TearDownTestSuite() {
    region_.reset();
    start_.reset();
    verifiable_.reset();
    election_.reset();
    next_ = 0;
  }
  void SetUp() override { ASSERT_TRUE(*start_); }

  RegionHarness& region() { return *region_; }
  // A registered voter no other test has used.
  RegistryVoter FreshVoter() {
    if (next_ >= region_->voters().size()) {
      ADD_FAILURE() << "out of fresh voters";
      return {};
    }
    return region_->voters()[next_++];
  }
  // The ballot a voter's device builds: a vote for the candidate at `position` on the ballot.
  verifiable::BuiltBallot Build(const RegistryVoter& v, size_t position = 0,
                                const std::string& as_state = "") {
    const auto j = *election_->FindJurisdiction(as_state.empty() ? v.state : as_state);
    const auto& rule = verifiable_->rule(j);
    std::vector<uint8_t> choices(rule.candidates, 0);
    choices[position] = 1;
    auto built = verifiable::BuildBallot(verifiable_->context(),
                                         verifiable::CredentialSecret(election_->name(), v.id),
                                         rule, choices);
    EXPECT_TRUE(built.ok()) << built.status().message();
    return std::move(*built);
  }
  static std::string CastBody(const VerifiableBallot& b) {
    return json{{"ballot", ToHex(EncodeBallot(b))}}.dump();
  }
  static std::string SpoilBody(const verifiable::BuiltBallot& b) {
    return json{{"ballot", ToHex(EncodeBallot(b.ballot))},
                {"opening", ToHex(EncodeOpening(b.opening))}}
        .dump();
  }
  int64_t BoardRows() { return region_->Count("SELECT count(*) FROM board"); }
  int64_t Pollbook() { return region_->Count("SELECT count(*) FROM pollbook"); }
  // Polls GET /board until `cast` ballots are counted.
  json BoardWhenCast(int64_t cast) {
    json board;
    for (int i = 0; i < 100; ++i) {
      auto r = region_->Client()->Get("/board");
      if (r.status == 200) {
        board = r.json;
        if (board["cast"] == cast && board["complete"] == true) return board;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the board never showed " << cast << " cast ballots: " << board.dump();
    return board;
  }

  static std::unique_ptr<RegionHarness> region_;
  static std::unique_ptr<::testing::AssertionResult> start_;
  static std::unique_ptr<Election> election_;
  static std::shared_ptr<const VerifiableElection> verifiable_;
  static size_t next_;
};

std::unique_ptr<RegionHarness> VerifiableRegionTest::region_;
std::unique_ptr<::testing::AssertionResult> VerifiableRegionTest::start_;
std::unique_ptr<Election> VerifiableRegionTest::election_;
std::shared_ptr<const VerifiableElection> VerifiableRegionTest::verifiable_;
size_t VerifiableRegionTest::next_ = 0;

TEST_F(VerifiableRegionTest, ACastBallotIs201WithItsTrackingCodeAndARetryGetsTheSameAnswer) {
  auto c = region().Client();
  const auto v = FreshVoter();
  const auto built = Build(v, 1);
  auto r = c->Post("/ballots", CastBody(built.ballot));
  ASSERT_EQ(r.status, 201) << r.Describe();
  EXPECT_EQ(r.json["status"], "cast");
  EXPECT_EQ(r.json["tracking_code"], ToHex(built.tracking));
  EXPECT_EQ(r.json["region"], region().region());
  // The same ballot again (a lost answer): the same 201, nothing stored twice.
  auto again = c->Post("/ballots", CastBody(built.ballot));
  ASSERT_EQ(again.status, 201) << again.Describe();
  EXPECT_EQ(again.json["tracking_code"], ToHex(built.tracking));
  EXPECT_EQ(region().Count("SELECT count(*) FROM board WHERE tracking = '\\x" +
                           ToHex(built.tracking) + "'"),
            1);
  // A second, different ballot of the same voter: 409, nothing stored.
  const int64_t board = BoardRows();
  auto second = c->Post("/ballots", CastBody(Build(v, 2).ballot));
  EXPECT_EQ(second.status, 409) << second.Describe();
  EXPECT_EQ(second.json["error"], "already_voted");
  EXPECT_EQ(BoardRows(), board);

  // The board lookup shows it cast, with its batch's chain head, at this region.
  auto look = c->Get("/board/ballots/" + ToHex(built.tracking));
  ASSERT_EQ(look.status, 200) << look.Describe();
  EXPECT_EQ(look.json["status"], "cast");
  EXPECT_EQ(look.json["jurisdiction"], v.state);
  EXPECT_EQ(look.json["ballot"], ToHex(EncodeBallot(built.ballot)));
  auto unknown = c->Get("/board/ballots/" + std::string(64, 'a'));
  EXPECT_EQ(unknown.status, 404) << unknown.Describe();
  EXPECT_EQ(c->Get("/board/ballots/XYZ").status, 400);
  // Per-candidate counts exist only after the trustees decrypt: no region pretends otherwise.
  auto votes = c->Get("/votes");
  EXPECT_EQ(votes.status, 404) << votes.Describe();
  EXPECT_EQ(votes.json["error"], "not_published");
  EXPECT_EQ(c->Get("/votes/" + v.state).status, 404);
}

TEST_F(VerifiableRegionTest, ASpoiledBallotIsPublishedNeverCountedAndCanBeNeitherReplayedNorCast) {
  auto c = region().Client();
  const auto v = FreshVoter();
  const auto challenged = Build(v, 0);
  const int64_t pollbook = Pollbook();
  auto spoil = c->Post("/ballots/spoiled", SpoilBody(challenged));
  ASSERT_EQ(spoil.status, 201) << spoil.Describe();
  EXPECT_EQ(spoil.json["status"], "spoiled");
  EXPECT_EQ(Pollbook(), pollbook) << "a spoiled ballot is not a vote";
  auto look = c->Get("/board/ballots/" + ToHex(challenged.tracking));
  ASSERT_EQ(look.status, 200) << look.Describe();
  EXPECT_EQ(look.json["status"], "spoiled");
  EXPECT_EQ(look.json["opening"], ToHex(EncodeOpening(challenged.opening)));

  const int64_t board = BoardRows();
  auto replay = c->Post("/ballots/spoiled", SpoilBody(challenged));
  EXPECT_EQ(replay.status, 409) << replay.Describe();
  EXPECT_EQ(replay.json["error"], "already_on_board");
  // Its randomness is public now: cast, it would count a choice everyone can read.
  auto cast_spoiled = c->Post("/ballots", CastBody(challenged.ballot));
  EXPECT_EQ(cast_spoiled.status, 409) << cast_spoiled.Describe();
  EXPECT_EQ(cast_spoiled.json["error"], "already_on_board");
  EXPECT_EQ(BoardRows(), board);
  EXPECT_EQ(Pollbook(), pollbook) << "the refused cast left a pollbook row";

  // An opening that does not open the ballot: 422, nothing stored.
  auto wrong = Build(v, 1);
  wrong.opening.choices = {1, 0, 0, 0, 0};
  auto lie = c->Post("/ballots/spoiled", SpoilBody(wrong));
  EXPECT_EQ(lie.status, 422) << lie.Describe();
  EXPECT_EQ(BoardRows(), board);

  // The voter then casts a fresh ballot.
  auto cast = c->Post("/ballots", CastBody(Build(v, 3).ballot));
  EXPECT_EQ(cast.status, 201) << cast.Describe();
  EXPECT_EQ(Pollbook(), pollbook + 1);
}

TEST_F(VerifiableRegionTest, ForgedCopiedAndMalformedBallotsAreRefusedAndChangeNothing) {
  auto c = region().Client();
  const auto a = FreshVoter();
  const auto b = FreshVoter();
  const int64_t board = BoardRows(), pollbook = Pollbook();

  // A's ballot under B's credential (copied to another voter): the signature fails.
  auto copied = Build(a).ballot;
  copied.credential = verifiable::PublicCredential(election_->name(), b.id);
  copied.jurisdiction = b.state;
  auto r = c->Post("/ballots", CastBody(copied));
  EXPECT_EQ(r.status, 422) << r.Describe();
  EXPECT_EQ(r.json["error"], "invalid_ballot");

  // A proof taken from another ballot.
  auto mixed = Build(a, 0).ballot;
  mixed.selections[0].proof = Build(a, 1).ballot.selections[0].proof;
  r = c->Post("/ballots", CastBody(mixed));
  EXPECT_EQ(r.status, 422) << r.Describe();

  // The ciphertext of a selection replaced by one that encrypts 2 (two ciphertexts of 1 added):
  // an entry of 2 cannot carry a valid 0-or-1 proof.
  auto two = Build(a, 0).ballot;
  {
    auto p = group::Point::Decode(two.selections[0].ciphertext.alpha);
    auto q = group::Point::Decode(two.selections[0].ciphertext.beta);
    ASSERT_TRUE(p && q);
    two.selections[0].ciphertext.alpha = (*p + *p).Encode();
    two.selections[0].ciphertext.beta = (*q + *q).Encode();
  }
  r = c->Post("/ballots", CastBody(two));
  EXPECT_EQ(r.status, 422) << r.Describe();

  // A credential nobody registered: 404.
  RegistryVoter stranger{"11111-11111-11111", a.state};
  r = c->Post("/ballots", CastBody(Build(stranger).ballot));
  EXPECT_EQ(r.status, 404) << r.Describe();
  EXPECT_EQ(r.json["error"], "unknown_voter");

  // A ballot for another jurisdiction's contest than the credential's.
  const std::string other = a.state == "TX" ? "CA" : "TX";
  r = c->Post("/ballots", CastBody(Build(a, 0, other).ballot));
  EXPECT_EQ(r.status, 422) << r.Describe();
  EXPECT_NE(r.json["message"].get<std::string>().find("votes in " + a.state), std::string::npos)
      << r.Describe();

  // Points that do not decode, truncated bytes, bad hex, a wrong body.
  auto bad_point = EncodeBallot(Build(a).ballot);
  const size_t alpha_at = bad_point.size() / 3;
  for (size_t i = 0; i < 32; ++i) bad_point[alpha_at + i] = 0xff;
  r = c->Post("/ballots", json{{"ballot", ToHex(bad_point)}}.dump());
  EXPECT_EQ(r.status, 422) << r.Describe();
  auto truncated = EncodeBallot(Build(a).ballot);
  truncated.resize(truncated.size() - 5);
  r = c->Post("/ballots", json{{"ballot", ToHex(truncated)}}.dump());
  EXPECT_TRUE(r.status == 400 || r.status == 422) << r.Describe();
  EXPECT_EQ(c->Post("/ballots", R"({"ballot": "zz"})").status, 400);
  EXPECT_EQ(c->Post("/ballots", R"({"id": "x"})").status, 400);
  EXPECT_EQ(c->Post("/ballots", std::string(size_t{80} * 1024, ' ')).status, 413);

  EXPECT_EQ(BoardRows(), board);
  EXPECT_EQ(Pollbook(), pollbook);
  // And A's and B's own ballots still count.
  EXPECT_EQ(c->Post("/ballots", CastBody(Build(a).ballot)).status, 201);
  EXPECT_EQ(c->Post("/ballots", CastBody(Build(b).ballot)).status, 201);
}

TEST_F(VerifiableRegionTest, VotesBuildsTheBallotOnTheServerAndTheBoardCountsIt) {
  auto c = region().Client();
  const auto v = FreshVoter();
  auto r = c->Post("/votes", VoteBody(v.id, "Gary Johnson"));
  ASSERT_EQ(r.status, 201) << r.Describe();
  const std::string tracking = r.json["tracking_code"];
  auto look = c->Get("/board/ballots/" + tracking);
  ASSERT_EQ(look.status, 200) << look.Describe();
  EXPECT_EQ(look.json["status"], "cast");
  auto bytes = FromHex(look.json["ballot"].get<std::string>());
  ASSERT_TRUE(bytes);
  auto ballot = DecodeBallot(*bytes);
  ASSERT_TRUE(ballot.ok());
  EXPECT_EQ(ballot->credential, verifiable::PublicCredential(election_->name(), v.id));
  EXPECT_TRUE(verifiable::VerifyBallot(verifiable_->context(), *ballot,
                                       verifiable_->rule(*election_->FindJurisdiction(v.state)))
                  .ok());
  auto again = c->Post("/votes", VoteBody(v.id, "Jill Stein"));
  EXPECT_EQ(again.status, 409) << again.Describe();

  // With an Idempotency-Key the server builds the same ballot again for a retry: the same 201
  // and tracking code; the same key with another choice is another ballot, refused.
  const auto w = FreshVoter();
  const Headers key = {{"Idempotency-Key", "verifiable-retry-0001"}};
  auto first = c->Post("/votes", VoteBody(w.id, "Hillary Clinton"), key);
  ASSERT_EQ(first.status, 201) << first.Describe();
  auto retry = c->Post("/votes", VoteBody(w.id, "Hillary Clinton"), key);
  ASSERT_EQ(retry.status, 201) << retry.Describe();
  EXPECT_EQ(retry.json["tracking_code"], first.json["tracking_code"]);
  EXPECT_EQ(c->Post("/votes", VoteBody(w.id, "Donald Trump"), key).status, 409);
  const auto w_key = CredentialKey(verifiable::PublicCredential(election_->name(), w.id));
  EXPECT_EQ(
      region().Count("SELECT count(*) FROM pollbook WHERE voter_hash = '\\x" + ToHex(w_key) + "'"),
      1);
  EXPECT_EQ(region().Count("SELECT count(*) FROM board WHERE tracking = '\\x" +
                           first.json["tracking_code"].get<std::string>() + "'"),
            1);

  // The board: every cast ballot counted per jurisdiction, the manifest's hash, chain heads
  // that the stored batches reproduce.
  const int64_t cast = Pollbook();
  json board = BoardWhenCast(cast);
  EXPECT_EQ(board["manifest_sha256"], ToHex(verifiable_->manifest_hash()));
  int64_t spoiled = region().Count("SELECT count(*) FROM board WHERE kind = 2");
  EXPECT_EQ(board["spoiled"], spoiled);
  for (const auto& chain : board["chains"]) {
    const std::string shard = chain["shard"];
    Bytes32 head{};
    const int64_t batches = chain["batch"];
    for (int64_t seq = 1; seq <= batches; ++seq) {
      std::vector<ChainItem> items;
      auto rows =
          region().Query("SELECT kind, encode(tracking, 'hex') FROM board WHERE shard = '" + shard +
                         "' AND seq = " + std::to_string(seq) + " ORDER BY position");
      ASSERT_TRUE(rows);
      for (int i = 0; i < rows->rows(); ++i) {
        ChainItem item;
        item.kind = rows->GetInt(i, 0) == 2 ? BallotKind::kSpoiled : BallotKind::kCast;
        ASSERT_TRUE(FromHexInto(rows->Get(i, 1), item.tracking));
        items.push_back(item);
      }
      head = verifiable::ChainNext(head, shard, static_cast<uint64_t>(seq), items);
    }
    EXPECT_EQ(ToHex(head), chain["head"]) << "shard " << shard;
  }
}

TEST_F(VerifiableRegionTest, BallotsSentTogetherShareBatchesAndAllCount) {
  std::vector<RegistryVoter> voters;
  std::vector<verifiable::BuiltBallot> ballots;
  for (int i = 0; i < 24; ++i) {
    voters.push_back(FreshVoter());
    ballots.push_back(Build(voters.back(), static_cast<size_t>(i % 5)));
  }
  const int64_t pollbook = Pollbook();
  std::vector<Response> answers(ballots.size());
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (size_t i = 0; i < ballots.size(); ++i) {
    threads.emplace_back([&, i] {
      auto c = region().Client();
      while (!go) {
      }
      // Every fourth voter spoils a ballot first, in the same burst as the others' casts.
      if (i % 4 == 0) {
        answers[i] = c->Post("/ballots/spoiled", SpoilBody(ballots[i]));
      } else {
        answers[i] = c->Post("/ballots", CastBody(ballots[i].ballot));
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  for (const auto& a : answers) EXPECT_EQ(a.status, 201) << a.Describe();
  EXPECT_EQ(Pollbook(), pollbook + 18);
  EXPECT_GE(region().Count("SELECT max(n) FROM (SELECT count(*) AS n FROM board GROUP BY shard, "
                           "seq) AS b"),
            2)
      << "no batch held two ballots: this test did not exercise shared batches";
}

TEST_F(VerifiableRegionTest, TheWholeBoardDownloadsInPagesInStoredOrder) {
  auto c = region().Client();
  // A few ballots of its own (it may run alone), one of them spoiled first.
  for (int i = 0; i < 4; ++i) {
    const auto v = FreshVoter();
    if (i == 0) ASSERT_EQ(c->Post("/ballots/spoiled", SpoilBody(Build(v, 2))).status, 201);
    ASSERT_EQ(c->Post("/ballots", CastBody(Build(v, i).ballot)).status, 201);
  }
  for (const std::string status : {"cast", "spoiled"}) {
    std::vector<std::string> paged;
    std::string query = "/board/ballots?status=" + status + "&limit=3";
    for (int pages = 0; pages < 100; ++pages) {
      auto r = c->Get(query);
      ASSERT_EQ(r.status, 200) << r.Describe();
      for (const auto& b : r.json["ballots"]) {
        EXPECT_EQ(b["status"], status);
        paged.push_back(b["tracking_code"]);
      }
      if (r.json["next"].is_null()) break;
      query =
          "/board/ballots?status=" + status + "&limit=3&after=" + r.json["next"].get<std::string>();
    }
    std::vector<std::string> stored = region().Column(
        "SELECT encode(tracking, 'hex') FROM board WHERE kind = " +
        std::string(status == "cast" ? "1" : "2") + " ORDER BY shard, seq, position");
    EXPECT_EQ(paged, stored) << status;
  }
  EXPECT_EQ(c->Get("/board/ballots?limit=0").status, 400);
  EXPECT_EQ(c->Get("/board/ballots?sort=desc").status, 400);
  // Bytes of 0x80 and more in what the error echoes: still answered, with a JSON body (they
  // used to make the JSON writer throw and the request go unanswered).
  auto odd_key = c->Get("/board/ballots?\xff\xfe=1");
  EXPECT_EQ(odd_key.status, 400) << odd_key.Describe();
  EXPECT_FALSE(odd_key.json.is_discarded());
  auto odd_path = c->Get("/nothing-\xff\xfe");
  EXPECT_EQ(odd_path.status, 404) << odd_path.Describe();
  EXPECT_FALSE(odd_path.json.is_discarded());
}

// Issue 9: "a second ballot for the same credential at another region at the same moment".
TEST_F(VerifiableRegionTest, TwoBallotsOfOneVoterAtTwoRegionsAtOnceCountOnce) {
  ASSERT_TRUE(region().StartPeer("r2"));
  auto here = region().Client();
  auto there = region().PeerClient();
  for (int round = 0; round < 5; ++round) {
    const auto v = FreshVoter();
    const auto first = Build(v, 0), second = Build(v, 1);
    Response a, b;
    std::atomic<bool> go{false};
    std::thread t1([&] {
      while (!go) {
      }
      a = here->Post("/ballots", CastBody(first.ballot));
    });
    std::thread t2([&] {
      while (!go) {
      }
      b = there->Post("/ballots", CastBody(second.ballot));
    });
    go = true;
    t1.join();
    t2.join();
    const int wins = (a.status == 201) + (b.status == 201);
    EXPECT_EQ(wins, 1) << a.Describe() << "\n" << b.Describe();
    EXPECT_TRUE(a.status == 409 || b.status == 409) << a.Describe() << "\n" << b.Describe();
    EXPECT_EQ(region().Count("SELECT count(*) FROM board WHERE body IN ('\\x" +
                             ToHex(EncodeBallot(first.ballot)) + "', '\\x" +
                             ToHex(EncodeBallot(second.ballot)) + "')"),
              1);
  }
  region().TerminatePeer();
}

// Runs last in this suite (gtest keeps declaration order within a file).
TEST_F(VerifiableRegionTest, CloseRefusesEveryLaterBallotWith403) {
  auto c = region().Client();
  // Ballots of its own, so that the decrypted results have something known to show when this
  // test runs alone (ctest runs each test in its own process).
  const auto johnson = FreshVoter();
  ASSERT_EQ(c->Post("/votes", VoteBody(johnson.id, "Gary Johnson")).status, 201);
  const auto spoiler = FreshVoter();
  ASSERT_EQ(c->Post("/ballots/spoiled", SpoilBody(Build(spoiler, 4))).status, 201);
  ASSERT_EQ(c->Post("/ballots", CastBody(Build(spoiler, 4).ballot)).status, 201);
  const auto v = FreshVoter();
  ASSERT_TRUE(region().RunCli({"close", "--db", region().conninfo()}));
  const int64_t board = BoardRows();
  auto r = c->Post("/ballots", CastBody(Build(v).ballot));
  EXPECT_EQ(r.status, 403) << r.Describe();
  EXPECT_EQ(r.json["error"], "election_closed");
  auto vote = c->Post("/votes", VoteBody(v.id, "Donald Trump"));
  EXPECT_EQ(vote.status, 403) << vote.Describe();
  EXPECT_EQ(BoardRows(), board);
  // Closing twice keeps the first time.
  ASSERT_TRUE(region().RunCli({"close", "--db", region().conninfo()}));
  // The board says so once this region's monitor has read the close (about a second).
  Response board_json;
  for (int i = 0; i < 50; ++i) {
    board_json = c->Get("/board");
    if (board_json.status == 200 && board_json.json["closed"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(board_json.json["closed"], true) << board_json.Describe();

  // The record, two of the three trustees, the results, and the independent verifier.
  const auto record = region().dir() / "record";
  auto results = CloseAndDecrypt(region(), record);
  ASSERT_TRUE(results.ok()) << results.status().message();
  int64_t total = 0;
  for (const auto& [name, n] : (*results)["totals"].items()) total += n.get<int64_t>();
  EXPECT_EQ(total, Pollbook()) << "the decrypted totals are not one per counted voter";
  EXPECT_GE((*results)["totals"]["Gary Johnson"].get<int64_t>(), 1);
  int64_t at_four = 0;  // the candidate fifth on every ballot
  for (const auto& [code, counts] : (*results)["counts"].items()) {
    at_four += counts[4].get<int64_t>();
  }
  EXPECT_GE(at_four, 1) << "the spoiler's cast ballot is not in the results";
  const auto verified = RunVerifier(record, region().dir() / "verify.log");
  EXPECT_EQ(verified.exit_code, 0) << verified.log;
}

// The insider of issue 9: with the database's superuser, add a ballot for a registered voter
// who never voted, with its pollbook row, as a new batch whose chain head is recomputed. Every
// region would count it; the exported record fails the independent verifier, which names the
// ballot whose signature does not verify.
TEST_F(VerifiableRegionTest, AnInsiderBallotForAVoterWhoNeverVotedFailsTheVerifier) {
  auto c = region().Client();
  // A ballot of its own when this test runs alone (after the close test, voting is closed).
  const auto honest = FreshVoter();
  const int status = c->Post("/ballots", CastBody(Build(honest).ballot)).status;
  ASSERT_TRUE(status == 201 || status == 403) << status;
  const auto victim = FreshVoter();
  ASSERT_TRUE(region().RunCli({"close", "--db", region().conninfo()}));

  // Proofs made with a secret the insider knows, under the victim's public credential: the
  // insider cannot sign for it without the victim's id.
  RegistryVoter insider{"22222-22222-22222", victim.state};
  auto forged = Build(insider, 0).ballot;
  forged.credential = verifiable::PublicCredential(election_->name(), victim.id);
  const auto body = EncodeBallot(forged);
  const auto tracking = verifiable::Track(forged);
  auto head = region().Query("SELECT shard, seq, encode(head, 'hex') FROM shards LIMIT 1");
  ASSERT_TRUE(head && head->rows() == 1);
  const std::string shard(head->Get(0, 0));
  const int64_t seq = head->GetInt(0, 1) + 1;
  Bytes32 previous{};
  ASSERT_TRUE(FromHexInto(head->Get(0, 2), previous));
  const ChainItem item{BallotKind::kCast, tracking};
  const Bytes32 new_head =
      verifiable::ChainNext(previous, shard, static_cast<uint64_t>(seq), std::span(&item, 1));
  const std::string s = std::to_string(seq);
  ASSERT_TRUE(region().Query(
      "BEGIN; "
      "INSERT INTO batches VALUES ('" +
      shard + "', " + s + ", 1, '\\x" + std::string(64, '0') + "', '\\x" + ToHex(new_head) +
      "'); "
      "INSERT INTO board VALUES ('" +
      shard + "', " + s + ", 0, 1, '" + victim.state + "', '\\x" + ToHex(tracking) + "', '\\x" +
      ToHex(body) +
      "', NULL); "
      "INSERT INTO pollbook VALUES ('\\x" +
      ToHex(CredentialKey(forged.credential)) +
      "', now(), 'r1', NULL); "
      "UPDATE shards SET seq = " +
      s + ", head = '\\x" + ToHex(new_head) + "' WHERE shard = '" + shard + "'; COMMIT"));

  const auto record = region().dir() / "record-forged";
  ASSERT_TRUE(
      region().RunCli({"record", "export", "--db", region().conninfo(), "--election",
                       (region().dir() / "election.json").string(), "--out", record.string()}));
  const auto verified = RunVerifier(record, region().dir() / "verify-forged.log");
  EXPECT_EQ(verified.exit_code, 1) << verified.log;
  EXPECT_NE(verified.log.find(ToHex(tracking)), std::string::npos)
      << "the verifier did not name the forged ballot: " << verified.log;
}

}  // namespace
}  // namespace landslide::testing
