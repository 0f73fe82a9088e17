// One Landslide region for an integration test, made only of real parts: a fresh database on the
// shared test PostgreSQL, keys from `landslide keys init`, a registry from `landslide voters
// generate` loaded with `landslide voters import`, and a `landslide serve` child process on a
// free loopback port, answering real HTTP.
//
//   RegionOptions o;
//   o.voters = 500;
//   o.serve_flags = {"--cors-origin", "http://example.test"};
//   RegionHarness region(o);
//   ASSERT_TRUE(region.Start());                  // healthy, or why not (with the serve log)
//   auto client = region.Client();
//   auto r = client->Post("/votes", VoteBody(region.voters()[0].id, "Hillary Clinton"));
//   EXPECT_EQ(region.Count("SELECT count(*) FROM pollbook"), 1);
//
// Everything lives in a temporary directory (keys, voters.csv, serve.log, cli.log), removed by
// the destructor unless LANDSLIDE_KEEP_TEST_DIRS is set in the environment.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/time.h"
#include "crypto/ballot_crypto.h"
#include "db/pg.h"
#include "domain/registry_index.h"
#include "os/poll.h"
#include "os/process.h"
#include "support/http_client.h"

namespace landslide::testing {

struct RegistryVoter {
  std::string id;
  std::string state;
};

struct RegionOptions {
  std::string region = "r1";
  // Database name on the shared test server; empty: derived from the running test suite.
  std::string database;
  int64_t voters = 300;
  uint64_t seed = 1;
  // An election definition (see config/election_file.h). When set it is written to
  // DIR/election.json and given to both `voters import` and `serve` as --election.
  std::optional<std::string> election_json;
  // A verifiable election (election_json says "ballots": "verifiable"): `landslide trustees
  // init` (3 trustees, 2 needed, fast KDF) writes KEYS/trustees before the import, and the
  // passphrases to KEYS/trustees/passphrases.txt.
  bool trustees = false;
  // Extra `landslide serve` flags, e.g. {"--rate-limit", "1"}.
  std::vector<std::string> serve_flags;
  std::chrono::seconds health_timeout{30};
};

class RegionHarness {
 public:
  explicit RegionHarness(RegionOptions options);
  ~RegionHarness();
  RegionHarness(const RegionHarness&) = delete;
  RegionHarness& operator=(const RegionHarness&) = delete;

  // Database, keys, registry, then serve; succeeds once GET /health answers 200.
  ::testing::AssertionResult Start();
  // Spawns serve (on the same port as before, once it has one) and waits until it is healthy.
  ::testing::AssertionResult StartServe();
  // Polls GET /health until 200; fails early if serve exits. Messages carry the serve log tail.
  ::testing::AssertionResult WaitHealthy(std::chrono::milliseconds timeout);
  // Terminate() then StartServe().
  ::testing::AssertionResult Restart();
  // SIGKILL, like losing the machine; waits until the process is gone.
  void Kill9();
  // SIGTERM (a clean drain), SIGKILL after 10 s; returns how serve ended.
  os::ExitStatus Terminate();
  bool ServeRunning();
  pid_t serve_pid() const { return serve_ ? serve_->pid() : -1; }

  // A second `serve` under another region name on the same database, keys and election (as if
  // this database were that region's standby too): for races between regions. Its log is
  // DIR/serve-peer.log.
  ::testing::AssertionResult StartPeer(const std::string& region_name);
  // SIGTERM to the peer; StartPeer() afterwards brings it back on the same port.
  void TerminatePeer();
  uint16_t peer_port() const { return peer_port_; }
  pid_t peer_pid() const { return peer_ ? peer_->pid() : -1; }
  const std::string& peer_region() const { return peer_region_; }
  std::unique_ptr<HttpClient> PeerClient(
      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  std::filesystem::path peer_log_path() const { return dir_ / "serve-peer.log"; }
  std::string PeerServeLog() const;

  // Options can be changed between Terminate() and StartServe() (e.g. a new election file).
  RegionOptions& options() { return options_; }
  // Rewrites DIR/election.json (used at the next StartServe).
  void SetElectionJson(const std::string& json);

  const std::vector<RegistryVoter>& voters() const { return voters_; }
  // Voters registered in `state`, in file order.
  std::vector<RegistryVoter> VotersIn(const std::string& state) const;
  const std::string& conninfo() const { return conninfo_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path keys_dir() const { return dir_ / "keys"; }
  std::filesystem::path serve_log_path() const { return dir_ / "serve.log"; }
  std::string ServeLog() const;
  std::string ServeLogTail(size_t bytes = 3000) const;
  const std::string& region() const { return options_.region; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::unique_ptr<HttpClient> Client(
      std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  // ---- the database, read directly (never through serve) ----
  // A connection of our own (reconnected when broken). Fails the test when it cannot connect.
  db::PgConnection* Db();
  // Runs `sql` (once more on a new connection if the server restarted under ours); nullopt
  // (and a test failure) on error.
  std::optional<db::PgResult> Query(const std::string& sql);
  // The first column of every row, as text.
  std::vector<std::string> Column(const std::string& sql);
  // The single integer a query returns, or -1 (and a test failure) on error.
  int64_t Count(const std::string& sql);
  // Rows of the pollbook for this voter id (0 or 1 by the primary key).
  int64_t PollbookRows(const std::string& voter_id);
  // Rows of the ballot box holding this receipt (32 hex characters).
  int64_t BallotsWithReceipt(const std::string& receipt_hex);
  // Every voter hash in the pollbook and every receipt in the ballot box, as lowercase hex.
  std::vector<std::string> PollbookHashes();
  std::vector<std::string> BallotReceipts();
  // The keyed hash the product stores for a voter id, as lowercase hex.
  std::string VoterHashHex(const std::string& voter_id) const;

  // ---- whole-database invariants ----
  // Nothing half-written: as many pollbook rows as ballots; every batch holds exactly
  // ballot_count ballots; every shard's batches are numbered 1..seq without gaps and the shard's
  // head is its last batch's head.
  ::testing::AssertionResult CheckBallotBoxConsistent();
  // Waits until this region's tallier has read and verified every batch: /health reports the
  // tallier ok with no lag, its chain heads equal the shards table, and GET /votes counts exactly
  // the ballots in the database. The last GET /votes body goes to *votes.
  // With `peer`, the same for the peer serve's tallier.
  ::testing::AssertionResult WaitTallierCaughtUp(std::chrono::milliseconds timeout,
                                                 nlohmann::json* votes = nullptr,
                                                 bool peer = false);

  // Runs `landslide ARGS...` (output to DIR/cli.log); fails with the log's tail if it fails.
  ::testing::AssertionResult RunCli(const std::vector<std::string>& args);

 private:
  ::testing::AssertionResult SpawnServe(const std::string& region, const std::filesystem::path& log,
                                        uint16_t& port, std::optional<os::Process>& process);
  ::testing::AssertionResult WaitHealthyAt(uint16_t port, std::optional<os::Process>& process,
                                           const std::filesystem::path& log,
                                           std::chrono::milliseconds timeout);

  RegionOptions options_;
  std::filesystem::path dir_;
  std::string conninfo_;
  std::vector<RegistryVoter> voters_;
  std::optional<VoterHasher> hasher_;
  uint16_t port_ = 0;
  std::optional<os::Process> serve_;
  std::string peer_region_;
  uint16_t peer_port_ = 0;
  std::optional<os::Process> peer_;
  std::unique_ptr<db::PgConnection> db_;
};

// An election file (JSON): the 2016 ballot (five candidates) in all 51 jurisdictions, open from
// `opens_at` until `closes_at`, with `extra` candidates appended to some jurisdictions' ballots
// only (code -> names).
std::string ElectionJson(TimePoint opens_at, TimePoint closes_at,
                         const std::map<std::string, std::vector<std::string>>& extra = {});

using os::Eventually;

}  // namespace landslide::testing
