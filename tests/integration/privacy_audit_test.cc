// Invariants 4 and 5 of docs/API.md against a real region: nothing stored or logged links a
// voter to a readable choice, and `landslide audit` recounts exactly what the region reports
// (and notices when the ballot box is tampered with).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <set>

#include "support/landslide_cli.h"
#include "support/region_harness.h"

namespace landslide::testing {
namespace {

const char* const kCandidates[] = {"Donald Trump", "Hillary Clinton", "Gary Johnson", "Jill Stein",
                                   "Evan McMullin"};

// Runs `landslide ARGS` and returns (exit code, stdout and stderr).
std::pair<int, std::string> RunAudit(const std::vector<std::string>& args) {
  CliRunOptions options;
  options.merge_stderr = true;
  CliRun run = RunLandslide(args, options);
  return {run.exit_code, run.out};
}

class PrivacyAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegionOptions o;
    o.voters = 60;
    region_ = std::make_unique<RegionHarness>(o);
    ASSERT_TRUE(region_->Start());
    auto client = region_->Client();
    for (size_t i = 0; i < 40; ++i) {
      const auto& v = region_->voters()[i];
      auto r = client->Post("/votes", VoteBody(v.id, kCandidates[i % 5]),
                            {{"Idempotency-Key", "privacy-test-key-" + std::to_string(i)}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
    ASSERT_TRUE(region_->WaitTallierCaughtUp(std::chrono::seconds(20)));
  }

  std::vector<std::string> Audit() {
    return {
        "audit",     "--db",         region_->conninfo(), "--keys", region_->keys_dir().string(),
        "--targets", region_->url(), "--wait-s",          "3"};
  }

  std::unique_ptr<RegionHarness> region_;
};

TEST_F(PrivacyAuditTest, NoStoredRowOrLogLineHoldsAVoterIdOrAReadableChoice) {
  std::vector<std::string> tables =
      region_->Column("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
  ASSERT_GE(tables.size(), 5u);
  std::string everything;
  for (const auto& t : tables) {
    for (const auto& row : region_->Column("SELECT row_to_json(t)::text FROM \"" + t + "\" t")) {
      everything += row + "\n";
    }
  }
  ASSERT_FALSE(everything.empty());
  for (size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(everything.find(region_->voters()[i].id), std::string::npos)
        << "voter id stored in clear";
  }
  for (const char* c : kCandidates) {
    EXPECT_EQ(everything.find(c), std::string::npos) << c << " stored in clear";
  }
  // The ballot box has no column that could name a voter or a time.
  for (const auto& col :
       region_->Column("SELECT column_name || ':' || data_type FROM information_schema.columns "
                       "WHERE table_name = 'ballots'")) {
    EXPECT_EQ(col.find("voter"), std::string::npos) << col;
    EXPECT_EQ(col.find("timestamp"), std::string::npos) << col;
  }
  // And no log line of serve carries an id or a choice.
  std::string log = region_->ServeLog();
  ASSERT_FALSE(log.empty());
  for (size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(log.find(region_->voters()[i].id), std::string::npos) << "voter id in the log";
  }
  for (const char* c : kCandidates) EXPECT_EQ(log.find(c), std::string::npos) << c << " logged";
}

TEST_F(PrivacyAuditTest, AuditAgreesWithTheRegionAndCatchesTampering) {
  auto [code, out] = RunAudit(Audit());
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("audit     OK: 40 ballots"), std::string::npos) << out;
  EXPECT_NE(out.find("agrees"), std::string::npos) << out;

  // Flip one bit of one sealed ballot, as someone with write access to the database might.
  ASSERT_TRUE(region_->Query(
      "UPDATE ballots SET sealed = set_byte(sealed, 3, get_byte(sealed, 3) # 1) "
      "WHERE (shard, seq, position) = (SELECT shard, seq, position FROM ballots LIMIT 1)"));
  auto [code2, out2] = RunAudit(Audit());
  EXPECT_EQ(code2, 1) << out2;
  EXPECT_NE(out2.find("MISMATCH"), std::string::npos) << out2;
  EXPECT_NE(out2.find("hash chain"), std::string::npos) << out2;
}

TEST_F(PrivacyAuditTest, AuditCatchesAPollbookRowWithoutItsBallot) {
  ASSERT_TRUE(region_->Query(
      "DELETE FROM pollbook WHERE voter_hash = (SELECT voter_hash FROM pollbook LIMIT 1)"));
  auto [code, out] = RunAudit(Audit());
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("the pollbook has 39 voters but the ballot box 40 ballots"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace landslide::testing
