// Invariant 1 under concurrency: 50 requests for ONE voter, each on its own connection and
// released together by a barrier, leave exactly one counted ballot, whatever the mix of
// candidates and Idempotency-Keys. Checked through the answers, the database and the tallies.
#include <gtest/gtest.h>

#include <barrier>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/region_harness.h"

namespace landslide::testing {
namespace {

using nlohmann::json;

constexpr int kRacers = 50;
const std::vector<std::string> kCandidates = {"Donald Trump", "Hillary Clinton", "Gary Johnson",
                                              "Jill Stein", "Evan McMullin"};

struct Attempt {
  std::string voter_id;
  std::string candidate;
  std::optional<std::string> key;
  bool at_peer = false;  // sent to the second region's serve
};

struct Outcome {
  Attempt attempt;
  Response response;
};

// Sends every attempt at once: one thread and one (already open) connection per attempt, all
// released by a barrier so that they reach the server together.
std::vector<Outcome> Race(RegionHarness& region, const std::vector<Attempt>& attempts) {
  const size_t n = attempts.size();
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (size_t i = 0; i < n; ++i) {
    clients.push_back(attempts[i].at_peer ? region.PeerClient(std::chrono::seconds(30))
                                          : region.Client(std::chrono::seconds(30)));
    std::string error;
    EXPECT_TRUE(clients.back()->Connect(&error)) << error;
  }
  std::vector<Outcome> out(n);
  std::barrier start(static_cast<std::ptrdiff_t>(n));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const Attempt& a = attempts[i];
      Headers h;
      if (a.key) h.emplace_back("Idempotency-Key", *a.key);
      const std::string body = VoteBody(a.voter_id, a.candidate);
      start.arrive_and_wait();
      out[i] = {a, clients[i]->Post("/votes", body, h)};
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

// Tallies by (state, candidate), from GET /votes.
using Tallies = std::map<std::pair<std::string, std::string>, int64_t>;

Tallies ParseTallies(const json& votes) {
  Tallies t;
  for (const auto& s : votes.value("states", json::array())) {
    for (const auto& r : s.value("results", json::array())) {
      t[{s.value("state", ""), r.value("candidate", "")}] = r.value("count", int64_t{-1});
    }
  }
  return t;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RegionOptions o;
    o.voters = 200;
    o.seed = 404;
    region_ = std::make_unique<RegionHarness>(o);
    start_ = std::make_unique<::testing::AssertionResult>(region_->Start());
  }
  static void TearDownTestSuite() {
    region_.reset();
    start_.reset();
    next_voter_ = 0;
  }
  void SetUp() override { ASSERT_TRUE(*start_); }
  void TearDown() override {
    if (!region_ || !*start_) return;
    // Invariant 4: however many requests raced, no voter id or choice reached the log.
    const std::string log = region_->ServeLog();
    for (const auto& id : ids_) EXPECT_EQ(log.find(id), std::string::npos) << "id " << id;
    for (const auto& c : kCandidates) EXPECT_EQ(log.find(c), std::string::npos) << c;
    const std::string peer_log = region_->PeerServeLog();
    for (const auto& id : ids_) EXPECT_EQ(peer_log.find(id), std::string::npos) << "id " << id;
    for (const auto& c : kCandidates) EXPECT_EQ(peer_log.find(c), std::string::npos) << c;
  }

  RegistryVoter NextVoter() {
    const auto& v = region_->voters().at(next_voter_++);
    ids_.insert(v.id);
    return v;
  }

  // Races `attempts` (all for voters in `voters`) and checks that each voter ends with exactly
  // one counted ballot: the answers, the pollbook, the ballot box and the tallies agree.
  void RaceAndCheck(const std::vector<RegistryVoter>& voters,
                    const std::vector<Attempt>& attempts) {
    RegionHarness& region = *region_;
    json before_votes;
    ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(10), &before_votes));
    const Tallies before = ParseTallies(before_votes);
    const int64_t pollbook_before = region.Count("SELECT count(*) FROM pollbook");
    const int64_t ballots_before = region.Count("SELECT count(*) FROM ballots");

    std::vector<Outcome> outcomes = Race(region, attempts);

    std::map<std::string, std::string> state_of;
    for (const auto& v : voters) state_of[v.id] = v.state;
    Tallies expected = before;
    std::map<std::string, int64_t> ambiguous_in_state;
    for (const auto& v : voters) {
      SCOPED_TRACE("voter in " + v.state);
      std::vector<const Outcome*> mine, counted, refused;
      for (const auto& o : outcomes) {
        if (o.attempt.voter_id != v.id) continue;
        mine.push_back(&o);
        ASSERT_TRUE(o.response.status == 201 || o.response.status == 409)
            << "only 201 or 409 are right here: " << o.response.Describe();
        (o.response.status == 201 ? counted : refused).push_back(&o);
      }
      ASSERT_FALSE(counted.empty()) << "nobody was counted";
      // One ballot: every 201 carries the same receipt, time and region (where it was taken).
      const json& first = counted.front()->response.json;
      const std::string taken_at = first.value("region", "");
      EXPECT_TRUE(taken_at == "r1" || (taken_at == region.peer_region() && taken_at != ""))
          << taken_at;
      const std::string receipt = first.value("receipt", "");
      ASSERT_EQ(receipt.size(), 32u) << counted.front()->response.Describe();
      for (const Outcome* o : counted) {
        EXPECT_EQ(o->response.json.value("success", false), true);
        EXPECT_EQ(o->response.json.value("receipt", ""), receipt);
        EXPECT_EQ(o->response.json.value("voted_at", ""), first.value("voted_at", "?"));
        EXPECT_EQ(o->response.json.value("region", ""), taken_at);
      }
      // More than one 201 only as replays of the counted attempt's key: then every attempt
      // with that key is a 201 and every other attempt a 409.
      std::optional<std::string> winning_key;
      if (counted.size() > 1) {
        winning_key = counted.front()->attempt.key;
        ASSERT_TRUE(winning_key.has_value()) << counted.size() << " attempts without a key counted";
      } else {
        winning_key = counted.front()->attempt.key;
      }
      for (const Outcome* o : mine) {
        const bool replay = winning_key && o->attempt.key == winning_key;
        if (replay) {
          EXPECT_EQ(o->response.status, 201)
              << "a retry with the counted ballot's key: " << o->response.Describe();
        } else if (o != counted.front()) {
          EXPECT_EQ(o->response.status, 409) << o->response.Describe();
        }
      }
      for (const Outcome* o : refused) {
        EXPECT_EQ(o->response.json.value("error", ""), "already_voted");
        EXPECT_EQ(o->response.json.value("success", true), false);
        EXPECT_EQ(o->response.json.value("voted_at", ""), first.value("voted_at", "?"))
            << "a 409 gives the counted ballot's time";
      }
      // The database: one pollbook row, one ballot with that receipt.
      EXPECT_EQ(region.PollbookRows(v.id), 1);
      EXPECT_EQ(region.BallotsWithReceipt(receipt), 1);
      // Which choice was counted is known when all 201s asked for the same candidate.
      std::set<std::string> choices;
      for (const Outcome* o : counted) choices.insert(o->attempt.candidate);
      if (choices.size() == 1) {
        expected[{v.state, *choices.begin()}] += 1;
      } else {
        ambiguous_in_state[v.state] += 1;  // one of several choices; only the state total is known
      }
    }
    EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"),
              pollbook_before + static_cast<int64_t>(voters.size()));
    EXPECT_EQ(region.Count("SELECT count(*) FROM ballots"),
              ballots_before + static_cast<int64_t>(voters.size()));
    EXPECT_TRUE(region.CheckBallotBoxConsistent());

    // The tallies moved by exactly one per voter, for a choice one of the 201s made.
    json after_votes;
    ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(10), &after_votes));
    EXPECT_EQ(after_votes.value("total_count", int64_t{-1}),
              before_votes.value("total_count", int64_t{-1}) + static_cast<int64_t>(voters.size()));
    const Tallies after = ParseTallies(after_votes);
    std::map<std::string, int64_t> moved_in_state;
    for (const auto& [k, n] : after) {
      const int64_t was = before.count(k) ? before.at(k) : 0;
      EXPECT_GE(n, was) << k.first << " " << k.second;
      moved_in_state[k.first] += n - was;
      if (expected.count(k) && expected.at(k) != was) {
        if (ambiguous_in_state[k.first] == 0) {
          EXPECT_EQ(n, expected.at(k)) << "the counted choice " << k.second << " in " << k.first;
        } else {
          // Another voter of this state may have been counted for this candidate too.
          EXPECT_GE(n, expected.at(k)) << "the counted choice " << k.second << " in " << k.first;
        }
      }
    }
    std::map<std::string, int64_t> voters_in_state;
    for (const auto& v : voters) voters_in_state[v.state]++;
    for (const auto& [state, moved] : moved_in_state) {
      EXPECT_EQ(moved, voters_in_state[state]) << "tallies of " << state;
    }
    // Invariant 3: a second region's tallier converges to the same tallies and chain heads.
    if (!region.peer_region().empty()) {
      json peer_votes;
      ASSERT_TRUE(region.WaitTallierCaughtUp(std::chrono::seconds(10), &peer_votes, true));
      EXPECT_EQ(ParseTallies(peer_votes), after);
      EXPECT_EQ(peer_votes.value("total_count", int64_t{-2}),
                after_votes.value("total_count", int64_t{-1}));
    }
  }

  static std::unique_ptr<RegionHarness> region_;
  static std::unique_ptr<::testing::AssertionResult> start_;
  static size_t next_voter_;
  std::set<std::string> ids_;
};

std::unique_ptr<RegionHarness> ConcurrencyTest::region_;
std::unique_ptr<::testing::AssertionResult> ConcurrencyTest::start_;
size_t ConcurrencyTest::next_voter_ = 0;

TEST_F(ConcurrencyTest, SameCandidateWithoutKeys) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts(kRacers, Attempt{v.id, "Hillary Clinton", std::nullopt});
  RaceAndCheck({v}, attempts);
}

TEST_F(ConcurrencyTest, DifferentCandidatesWithoutKeys) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts;
  for (int i = 0; i < kRacers; ++i) attempts.push_back({v.id, kCandidates[i % 5], std::nullopt});
  RaceAndCheck({v}, attempts);
}

TEST_F(ConcurrencyTest, SameKeySameCandidate) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts(kRacers, Attempt{v.id, "Donald Trump", "race-same-key-000001"});
  RaceAndCheck({v}, attempts);
}

TEST_F(ConcurrencyTest, SameKeyDifferentCandidates) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts;
  for (int i = 0; i < kRacers; ++i) {
    attempts.push_back({v.id, kCandidates[i % 5], "race-same-key-000002"});
  }
  RaceAndCheck({v}, attempts);
}

TEST_F(ConcurrencyTest, DifferentKeys) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts;
  for (int i = 0; i < kRacers; ++i) {
    attempts.push_back({v.id, kCandidates[i % 5], "race-own-key-" + std::to_string(1000 + i)});
  }
  RaceAndCheck({v}, attempts);
}

TEST_F(ConcurrencyTest, MixedKeysAndCandidates) {
  RegistryVoter v = NextVoter();
  std::vector<Attempt> attempts;
  for (int i = 0; i < kRacers; ++i) {
    std::optional<std::string> key;
    if (i % 3 == 0) key = "race-shared-key-00003";
    if (i % 3 == 1) key = "race-mixed-key-" + std::to_string(1000 + i);
    attempts.push_back({v.id, kCandidates[(i / 3) % 5], key});
  }
  RaceAndCheck({v}, attempts);
}

// Several voters racing at once share batches: each still ends with exactly one ballot.
TEST_F(ConcurrencyTest, TenVotersFiveAttemptsEach) {
  std::vector<RegistryVoter> voters;
  for (int i = 0; i < 10; ++i) voters.push_back(NextVoter());
  std::vector<Attempt> attempts;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10; ++i) {
      std::optional<std::string> key;
      if (round % 2 == 0) key = "race-voter-key-" + std::to_string(100 + i);
      attempts.push_back({voters[i].id, kCandidates[(i + round) % 5], key});
    }
  }
  RaceAndCheck(voters, attempts);
}

// Two regions (two serve processes with their own writer shards) race for the same voters:
// the database decides, and both regions' talliers agree afterwards.
TEST_F(ConcurrencyTest, TwoRegionsRaceForOneVoter) {
  ASSERT_TRUE(region_->StartPeer("r2"));
  {
    SCOPED_TRACE("without keys");
    RegistryVoter v = NextVoter();
    std::vector<Attempt> attempts;
    for (int i = 0; i < kRacers; ++i) {
      attempts.push_back({v.id, kCandidates[i % 5], std::nullopt, i % 2 == 1});
    }
    RaceAndCheck({v}, attempts);
  }
  {
    SCOPED_TRACE("one key, sent to both regions");
    RegistryVoter v = NextVoter();
    std::vector<Attempt> attempts;
    for (int i = 0; i < kRacers; ++i) {
      attempts.push_back({v.id, "Gary Johnson", "race-two-regions-key-1", i % 2 == 1});
    }
    RaceAndCheck({v}, attempts);
  }
  region_->TerminatePeer();
}

}  // namespace
}  // namespace landslide::testing
