// `landslide demo`: the README's main command. Runs the whole election on this machine by
// driving the real subcommands as child processes, printing each command so that a reader can
// repeat any step by hand: a verifiable election (the default: `trustees init`, `up`, `voters
// generate`, `voters import`, `simulate`, `close`, `record export`, `trustee decrypt`, `results
// publish`, the independent verifier) or a sealed one (`up` ... `simulate`, `audit`).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/demo_steps.h"
#include "cli/options.h"
#include "cluster/cluster_file.h"
#include "cluster/up_process.h"
#include "common/time.h"
#include "config/election_file.h"
#include "os/endpoint.h"
#include "os/http_client.h"
#include "os/stop_signals.h"
#include "os/subcommand.h"

namespace landslide::cli {

void Say(const std::string& line) {
  std::printf("\n== %s\n", line.c_str());
  std::fflush(stdout);
}

Status RunStep(const std::vector<std::string>& args) {
  std::printf("$ %s\n", os::ShowCommand(args).c_str());
  std::fflush(stdout);
  os::SubcommandOptions o;
  o.args = args;
  o.process.new_process_group = false;
  return os::RunSubcommandToSuccess(o, std::chrono::hours(24));
}

namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  int64_t voters = 100000;
  int regions = 3;
  bool keep_running = false;
  std::string dir = "landslide-demo";
  int base_port = 7000;
  int concurrency = 128;
  uint64_t seed = 2016;
  std::string ballots = "verifiable";
};

constexpr const char* kMarker = ".landslide-demo";

Status PrepareDir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::exists(dir / kMarker, ec) && !fs::is_empty(dir, ec)) {
      return Status::FailedPrecondition(dir.string() +
                                        " exists and was not made by a demo; choose --dir");
    }
    fs::remove_all(dir, ec);  // a previous demo: start from scratch
    if (ec) return Status::Unavailable("cannot remove " + dir.string() + ": " + ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir.string() + ": " + ec.message());
  std::ofstream(dir / kMarker) << "made by landslide demo; removed by the next demo\n";
  return Status::Ok();
}

void PrintOutcome(const cluster::ClusterInfo& info) {
  auto hp = os::HostPortOfUrl(info.regions[0].http);
  if (!hp) return;
  auto r = os::HttpGet(hp->first, hp->second, "/votes", std::chrono::seconds(10));
  if (!r.ok() || r->status != 200) return;
  const nlohmann::json& j = r->json;
  if (j.is_discarded()) return;
  std::map<std::string, int> states_won;
  for (const auto& s : j["states"]) {
    std::string best;
    int64_t most = -1;
    for (const auto& c : s["results"]) {
      if (c["count"].get<int64_t>() > most) {
        most = c["count"].get<int64_t>();
        best = c["candidate"].get<std::string>();
      }
    }
    if (most > 0) states_won[best]++;
  }
  std::printf("\n%-18s %12s %9s %11s\n", "candidate", "votes", "share", "states won");
  for (const auto& c : j["candidates"]) {
    std::string name = c["candidate"].get<std::string>();
    std::printf("%-18s %12lld %8.2f%% %11d\n", name.c_str(),
                static_cast<long long>(c["count"].get<int64_t>()), c["percentage"].get<double>(),
                states_won[name]);
  }
  std::printf("%-18s %12lld   (exact count, %s)\n", "total",
              static_cast<long long>(j["total_count"].get<int64_t>()),
              j["as_of"].get<std::string>().c_str());
}

int RunDemo(const DemoOptions& o) {
  if (o.voters < 1) return Fail(2, "--voters must be at least 1");
  if (o.regions != 1 && o.regions != 3) return Fail(2, "--regions must be 1 or 3");
  const bool verifiable = o.ballots == "verifiable";
  fs::path dir = fs::absolute(o.dir);
  Status s = PrepareDir(dir);
  if (!s.ok()) return Fail(1, s.message());

  // SIGINT/SIGTERM stop the demo cleanly: the `up` child gets SIGTERM from its destructor.
  os::StopSignals stop;
  // Sealed: up, voters, import, simulate, audit. Verifiable: a key ceremony first, and instead
  // of the audit: close, export, decrypt, publish, verify.
  const int steps = verifiable ? 10 : 5;
  int step = 1;
  auto next = [&](const std::string& what) {
    Say(std::to_string(step++) + "/" + std::to_string(steps) + " " + what);
  };
  const std::string election_file = (dir / "election.json").string();
  std::vector<std::string> election_args;
  if (verifiable) {
    BallotPolicy policy;
    policy.scheme = BallotScheme::kVerifiable;
    policy.results = ResultsMode::kAfterClose;
    s = WriteTextFile(election_file,
                      ElectionToJson(Election::Default2016().WithPolicy(policy)) + "\n");
    if (!s.ok()) return Fail(1, s.message());
    election_args = {"--election", election_file};
    next("key ceremony: 5 trustees, any 3 of whom can decrypt the totals");
    s = RunStep({"trustees", "init", "--trustees", "5", "--threshold", "3", "--kdf", "interactive",
                 "--election", election_file, "--out", (dir / "trustees").string()});
    if (!s.ok()) return Fail(1, s.message());
  }

  next("bringing up " + std::to_string(o.regions) + " region(s) in " + dir.string());
  auto started = std::chrono::steady_clock::now();
  cluster::UpProcessOptions up_options;
  up_options.dir = dir;
  up_options.regions = o.regions;
  up_options.base_port = o.base_port;
  up_options.stop_grace = std::chrono::seconds(30);
  up_options.extra_args = election_args;
  auto up = cluster::UpProcess::Start(up_options);
  if (!up.ok()) return Fail(1, up.status().message());
  std::printf("$ %s\n", up->command().c_str());
  std::fflush(stdout);
  auto info = up->WaitForClusterFile(std::chrono::minutes(3));
  if (!info.ok()) return Fail(1, info.status().message());
  const fs::path cluster_file = dir / "cluster.json";
  std::printf("cluster up in %.1f s (log: %s)\n", SecondsSince(started), (dir / "up.log").c_str());

  std::string voters = (dir / "voters.csv").string();
  next("generating " + std::to_string(o.voters) + " mock voters (states by 2016 turnout)");
  if (!(s = RunStep({"voters", "generate", "--count", std::to_string(o.voters), "--seed",
                     std::to_string(o.seed), "--out", voters}))
           .ok()) {
    return Fail(1, s.message());
  }
  std::vector<std::string> import = {"voters", "import", "--db", info->db, "--keys", info->keys};
  if (verifiable) {
    next("importing the registry: each voter's public credential, and the manifest");
    import.insert(import.end(), {"--election", election_file, "--trustees",
                                 (dir / "trustees" / "trustees.json").string()});
  } else {
    next("importing the registry (only keyed hashes of ids are stored)");
  }
  import.push_back(voters);
  if (!(s = RunStep(import)).ok()) return Fail(1, s.message());
  // Each region reloads the registry from its standby when an import lands; wait for it.
  for (const auto& r : info->regions) {
    s = os::WaitForRegistry(r.http, o.voters, std::chrono::seconds(60));
    if (!s.ok()) return Fail(1, s.message());
  }
  std::string targets;
  for (const auto& r : info->regions) targets += (targets.empty() ? "" : ",") + r.http;
  next(verifiable ? "casting one vote per voter with each state's 2016 split: each ballot "
                    "encrypted, proved and signed on the client, as a voter's device does, then "
                    "verified by the region before it is stored"
                  : "casting one vote per voter with each state's 2016 split");
  std::string report = (dir / "simulate-report.json").string();
  std::vector<std::string> simulate = {"simulate",
                                       "--targets",
                                       targets,
                                       "--voters",
                                       voters,
                                       "--concurrency",
                                       std::to_string(o.concurrency),
                                       "--seed",
                                       std::to_string(o.seed),
                                       "--report",
                                       report};
  if (verifiable) simulate.push_back("--client-ballots");
  Status sim = RunStep(simulate);
  Status check = Status::Ok();
  if (verifiable) {
    if (sim.ok()) {
      check = FinishVerifiableElection({.dir = dir,
                                        .db = info->db,
                                        .election_file = election_file,
                                        .simulate_report = report,
                                        .first_step = step,
                                        .steps = steps});
    }
  } else {
    next("auditing: recount from the database, chains, signed checkpoints");
    check = RunStep({"audit", "--db", info->db, "--keys", info->keys, "--targets", targets});
    Say("outcome");
    PrintOutcome(*info);
  }
  std::printf("\nwhere to look:\n");
  for (const auto& r : info->regions) {
    const char* h = r.http.c_str();
    if (verifiable) {
      std::printf("  %-10s voter site %s/   board %s/board   manifest %s/manifest   %s/health\n",
                  r.name.c_str(), h, h, h, h);
    } else {
      std::printf("  %-10s voter site %s/   dashboard %s/results   API %s/votes   %s/health\n",
                  r.name.c_str(), h, h, h, h);
    }
  }
  std::printf("  report   %s\n  cluster  %s (logs in %s/logs)\n", report.c_str(),
              cluster_file.c_str(), dir.c_str());
  if (verifiable) std::printf("  record   %s\n", (dir / "record").c_str());
  int code = (sim.ok() && check.ok()) ? 0 : 1;
  if (!sim.ok())
    std::fprintf(stderr, "landslide: the simulation failed: %s\n", sim.message().c_str());
  if (!check.ok()) {
    std::fprintf(stderr, "landslide: %s failed: %s\n", verifiable ? "the count" : "the audit",
                 check.message().c_str());
  }
  if (o.keep_running) {
    std::printf("\nthe cluster keeps running; press Ctrl-C to stop it\n");
    std::fflush(stdout);
    while (up->Running() && !stop.StopRequested(std::chrono::seconds(1))) {
    }
  }
  std::printf("\nstopping the cluster\n");
  std::fflush(stdout);
  up->Stop();
  return code;
}

}  // namespace

void AddDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<DemoOptions>();
  auto* c = app.add_subcommand(
      "demo", "Run a whole election on this machine: cluster, mock voters, load, results, audit");
  c->add_option("--voters", o->voters, "Mock voters (one vote each)")->capture_default_str();
  c->add_option("--regions", o->regions, "Regions to bring up (1 or 3)")->capture_default_str();
  c->add_flag("--keep-running", o->keep_running, "Keep the cluster up afterwards until Ctrl-C");
  c->add_option("--dir", o->dir, "State and logs (a previous demo's dir is replaced)")
      ->capture_default_str();
  c->add_option("--base-port", o->base_port, "First port of the cluster")->capture_default_str();
  c->add_option("--concurrency", o->concurrency, "Votes in flight")->capture_default_str();
  c->add_option("--seed", o->seed, "Seed of the voters and their choices")->capture_default_str();
  c->add_option("--ballots", o->ballots,
                "verifiable: trustees, encrypted ballots with proofs, a record anyone can verify; "
                "sealed: the server seals each choice and counts live")
      ->capture_default_str()
      ->check(CLI::IsMember({"verifiable", "sealed"}));
  c->callback([&ctx, o] { ctx.exit_code = RunDemo(*o); });
}

}  // namespace landslide::cli
