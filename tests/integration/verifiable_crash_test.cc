// A verifiable region's serve killed with SIGKILL under load, then restarted: a careful client
// (one Idempotency-Key per voter, retried until 201) loses nothing and is counted once, because
// the server builds the same ballot again for a retry. Then the trustees' decryption of the
// record must give exactly what the clients were told was counted, candidate by candidate, and
// the independent verifier must accept it.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "config/election_file.h"
#include "domain/election.h"
#include "os/poll.h"
#include "support/region_harness.h"
#include "support/region_load.h"
#include "support/verifiable_record.h"

namespace landslide::testing {
namespace {

TEST(VerifiableCrash, ServeKilledMidBatchLosesNoBallotAndTheDecryptedCountIsExact) {
  BallotPolicy policy;
  policy.scheme = BallotScheme::kVerifiable;
  policy.results = ResultsMode::kAfterClose;
  RegionOptions o;
  o.voters = 300;
  o.seed = 4242;
  o.election_json = ElectionToJson(Election::Default2016().WithPolicy(policy));
  o.trustees = true;
  RegionHarness region(o);
  ASSERT_TRUE(region.Start());

  std::vector<std::string> ids;
  for (const auto& v : region.voters()) ids.push_back(v.id);
  RegionLoad load({region.url()}, ids, {.threads = 4, .pause = std::chrono::milliseconds(2)});
  ASSERT_TRUE(os::Eventually([&] { return load.counted_so_far() >= 40; }, std::chrono::seconds(60)))
      << "the load never got going";
  region.Kill9();  // mid-batch: ballots are being verified and committed
  ASSERT_TRUE(region.StartServe());
  load.Stop();
  const LoadOutcome out = load.Outcome();

  int interrupted = 0;  // requests the kill left unanswered, or refused while serve was down
  for (const auto& [status, n] : out.answers) interrupted += (status == 0 || status == 503) ? n : 0;
  EXPECT_GT(interrupted, 0) << "the kill interrupted no request: this test exercised no retry";
  EXPECT_TRUE(out.violations.empty()) << out.violations.front();
  EXPECT_TRUE(out.unresolved.empty()) << out.unresolved.size() << " ballots never got a 201";
  ASSERT_GT(out.counted.size(), 40u);
  // Every 201's tracking code is on the board once; the board holds nothing else.
  std::set<std::string> told;
  for (const auto& c : out.counted) told.insert(c.receipt);
  EXPECT_EQ(told.size(), out.counted.size()) << "two voters were told the same tracking code";
  std::set<std::string> stored;
  for (auto& t : region.Column("SELECT encode(tracking, 'hex') FROM board WHERE kind = 1")) {
    stored.insert(t);
  }
  EXPECT_EQ(stored, told);
  EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), static_cast<int64_t>(told.size()));

  auto results = CloseAndDecrypt(region, region.dir() / "record");
  ASSERT_TRUE(results.ok()) << results.status().message();
  std::map<std::string, int64_t> decrypted;
  for (const auto& [name, n] : (*results)["totals"].items()) {
    if (n.get<int64_t>() > 0) decrypted[name] = n.get<int64_t>();
  }
  std::map<std::string, int64_t> expected;
  for (const auto& [name, n] : out.counted_by_candidate) expected[name] = n;
  EXPECT_EQ(decrypted, expected);
  const auto verified = RunVerifier(region.dir() / "record", region.dir() / "verify.log");
  EXPECT_EQ(verified.exit_code, 0) << verified.log;
}

}  // namespace
}  // namespace landslide::testing
