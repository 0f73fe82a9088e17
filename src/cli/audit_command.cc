// `landslide audit`: recounts the ballot box from scratch and checks it against every region.
#include <spdlog/spdlog.h>

#include <thread>

#include "audit/checkpoint_check.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "db/audit_counts.h"
#include "db/pg_ballot_store.h"
#include "os/endpoint.h"
#include "os/http_client.h"

namespace landslide::cli {

namespace {

struct AuditOptions {
  std::string db;
  std::string keys;
  std::string election_file;
  std::vector<std::string> targets;
  int wait_s = 30;
};

int RunAudit(const AuditOptions& o) {
  spdlog::set_level(spdlog::level::warn);
  auto election = LoadElectionOrDefault(o.election_file);
  if (!election.ok()) return Fail(1, election.status().message());
  if (election->verifiable()) {
    // Nobody holds a key that opens a verifiable ballot: its audit is the independent verifier.
    return Fail(2,
                "a verifiable election is audited by `landslide record export` and `node "
                "verifier/verify.js DIR`, not by recounting (no key opens its ballots)");
  }
  auto keys = LoadKeys(o.keys, SecretKeys::kElection);
  if (!keys.ok()) return Fail(1, keys.status().message());
  int problems = 0;
  auto problem = [&](const std::string& what) {
    ++problems;
    std::printf("MISMATCH  %s\n", what.c_str());
  };

  auto conn = db::PgConnection::Connect(o.db, std::chrono::seconds(5));
  if (!conn.ok()) return Fail(1, conn.status().message());
  auto counts = db::ReadAuditCounts(**conn);
  if (!counts.ok()) return Fail(1, counts.status().message());

  // The recount: the same code path as a region's tallier, from an empty state, on --db.
  MetricsRegistry metrics;
  std::string db = o.db;
  Tallier recount(
      *election, *keys->election_secret,
      [db]() { return db::OpenPgBatchSource(db, std::chrono::seconds(5)); },
      std::chrono::milliseconds(10), metrics);
  Status s = recount.PollOnce();
  auto snap = recount.Snapshot();
  if (!s.ok()) problem("recount failed: " + s.message());
  std::printf("recount   %lld ballots in %zu shards; every chain %s\n",
              static_cast<long long>(snap->tally.Total()), snap->heads.size(),
              s.ok() ? "verifies" : "does NOT verify");
  std::printf("pollbook  %lld voters marked as voted\n", static_cast<long long>(counts->pollbook));
  if (counts->pollbook != counts->ballots) {
    problem("the pollbook has " + std::to_string(counts->pollbook) + " voters but the ballot box " +
            std::to_string(counts->ballots) + " ballots");
  }
  if (counts->batches_mismatched != 0 || counts->batch_claimed != counts->ballots) {
    problem(std::to_string(counts->batches_mismatched) +
            " batches hold a different number of ballots than they claim");
  }
  // Ballots added after the counts were read would show up here as a difference; audit a
  // quiet election, or expect this line to say so.
  if (s.ok() && snap->tally.Total() != counts->ballots) {
    problem("the recount opened " + std::to_string(snap->tally.Total()) + " ballots but " +
            std::to_string(counts->ballots) + " are stored");
  }

  for (const auto& target : o.targets) {
    auto url = target;
    if (url.rfind("http://", 0) == 0) url = url.substr(7);
    while (!url.empty() && url.back() == '/') url.pop_back();
    auto hp = os::ParseHostPort(url);
    if (!hp) {
      problem("bad target " + target);
      continue;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.wait_s);
    audit::CheckpointResult result;
    std::string error;
    while (true) {
      auto r = os::HttpGet(hp->first, hp->second, "/checkpoints", std::chrono::seconds(5));
      if (r.ok() && r->status == 200) {
        result = audit::CheckCheckpoint(r->body, *election, *snap, keys->signing_public);
        error.clear();
      } else {
        error = r.ok() ? "answered " + std::to_string(r->status) : r.status().message();
      }
      bool settled = error.empty() && result.verdict != audit::CheckpointVerdict::kBehind;
      if (settled || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    if (!error.empty()) {
      problem(std::string(target).append(": ").append(error));
    } else if (result.verdict == audit::CheckpointVerdict::kAgrees) {
      std::printf("region    %s agrees: signed checkpoint of %lld ballots, same chain heads\n",
                  target.c_str(), static_cast<long long>(result.total));
    } else {
      problem(target + ": " + result.detail);
    }
  }
  if (problems == 0) {
    std::printf("audit     OK: %lld ballots, every chain, tally and region checked\n",
                static_cast<long long>(snap->tally.Total()));
    return 0;
  }
  std::printf("audit     FAILED: %d mismatches\n", problems);
  return 1;
}

}  // namespace

void AddAuditCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<AuditOptions>();
  auto* c = app.add_subcommand(
      "audit", "Recount every ballot from the database and check every region against it");
  c->add_option("--db", o->db, "conninfo of a database holding the election")->required();
  c->add_option("--keys", o->keys, "Keys directory (needs election.sec)")->required();
  c->add_option("--election", o->election_file, "Election definition JSON (default: 2016)");
  c->add_option("--targets", o->targets, "Region URLs whose signed checkpoints to check")
      ->delimiter(',');
  c->add_option("--wait-s", o->wait_s, "How long a region may take to catch up")
      ->capture_default_str();
  c->callback([&ctx, o] { ctx.exit_code = RunAudit(*o); });
}

}  // namespace landslide::cli
