#include "bench/cluster_phase.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "bench/system_probe.h"
#include "cluster/up_process.h"
#include "common/time.h"
#include "config/election_file.h"
#include "db/pg.h"
#include "domain/election.h"
#include "os/endpoint.h"
#include "os/files.h"
#include "os/http_client.h"
#include "os/process.h"
#include "os/subcommand.h"

namespace landslide::bench {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

// Runs `landslide ARGS...` to completion with its output in `log`.
Status RunChild(const std::vector<std::string>& args, const fs::path& log,
                std::vector<std::string>& commands,
                const std::function<void(std::string_view)>& say) {
  commands.push_back(os::ShowCommand(args));
  say("$ " + commands.back() + "   (log: " + log.string() + ")");
  os::SubcommandOptions o;
  o.args = args;
  o.process.log_file = log;
  o.process.parent_death_signal = SIGTERM;
  return os::RunSubcommandToSuccess(o, std::chrono::hours(1));
}

// Each region reloads the registry from its standby when an import lands; wait until all have.
Status WaitForRegistry(const std::vector<cluster::RegionInfo>& regions, int64_t voters,
                       const std::atomic<bool>* stop) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(180);
  for (const auto& r : regions) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    LANDSLIDE_RETURN_IF_ERROR(
        os::WaitForRegistry(r.http, voters, std::max(left, std::chrono::milliseconds(0)), stop));
  }
  return Status::Ok();
}

Status ReadDatabaseSizes(const std::string& conninfo, ResourceSnapshot& s) {
  auto conn = db::PgConnection::Connect(conninfo, std::chrono::seconds(10));
  if (!conn.ok()) return conn.status();
  auto db = (*conn)->Exec(
      "SELECT pg_database_size(current_database()), "
      "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  if (!db.ok()) return db.status();
  s.database_bytes = db->GetInt(0, 0);
  s.wal_position_bytes = db->GetInt(0, 1);
  for (const char* table : {"registry", "pollbook", "ballots", "board", "batches"}) {
    const std::string t = table;
    char sql[256];
    std::snprintf(sql, sizeof sql,
                  "SELECT pg_total_relation_size('%s'), pg_relation_size('%s'), "
                  "pg_indexes_size('%s'), (SELECT count(*) FROM %s)",
                  table, table, table, table);
    auto r = (*conn)->Exec(sql);
    if (!r.ok()) return r.status();
    s.tables.push_back({t, r->GetInt(0, 3), r->GetInt(0, 0), r->GetInt(0, 1), r->GetInt(0, 2)});
  }
  return Status::Ok();
}

// True if `pid`'s command line names `text` (the cluster's directory): a pid from cluster.json
// is only killed if it is still the process `up` started, not one that reused its number.
bool CommandLineMentions(pid_t pid, const std::string& text) {
  auto cmdline = os::ReadWholeFile("/proc/" + std::to_string(pid) + "/cmdline");
  return cmdline.ok() && cmdline->find(text) != std::string::npos;
}

PhaseResult UpFailed(PhaseResult phase, const ClusterPhaseOptions& o, std::string why) {
  phase.status = o.skip_if_up_fails ? PhaseStatus::kSkipped : PhaseStatus::kFailed;
  phase.reason = std::move(why);
  return phase;
}

}  // namespace

ResourceSnapshot TakeSnapshot(const cluster::ClusterInfo& info, const fs::path& dir,
                              std::string when, bool with_database) {
  ResourceSnapshot s;
  s.when = std::move(when);
  for (const auto& r : info.regions) {
    for (const auto& [name, pid] : r.pids) {
      if (pid <= 0) continue;
      // A postmaster's backends are separate processes sharing its buffers: PSS over the tree
      // counts each shared page once in total.
      ProcessUsage m = ReadProcessUsage(pid, name == "postgres");
      m.region = r.name;
      m.process = name;
      if (m.rss_bytes < 0) s.errors.push_back("cannot read /proc/" + std::to_string(pid));
      s.processes.push_back(std::move(m));
    }
    s.region_dir_bytes.emplace_back(r.name, DirectoryBytes(dir / r.name));
  }
  // This process is the load generator: its share of the same cores is part of the picture.
  ProcessUsage self = ReadProcessUsage(getpid(), false);
  self.process = "bench (load generator)";
  s.processes.push_back(std::move(self));
  if (with_database) {
    Status st = ReadDatabaseSizes(info.db, s);
    if (!st.ok()) s.errors.push_back("database sizes: " + st.message());
  }
  return s;
}

PhaseResult RunClusterPhase(const ClusterPhaseOptions& o, const sim::VotePlan& plan,
                            const std::function<void(std::string_view)>& say) {
  PhaseResult phase;
  phase.kind = o.kind;
  phase.regions = o.regions;
  phase.voters = static_cast<int64_t>(plan.size());
  const std::atomic<bool>* stop = o.load.stop;

  std::error_code ec;
  fs::remove_all(o.dir, ec);
  fs::create_directories(o.dir, ec);
  if (ec) return UpFailed(phase, o, "cannot create " + o.dir.string() + ": " + ec.message());

  // 0. A verifiable election: its file and its trustees' key ceremony.
  const fs::path election_file = o.dir / "election.json";
  const fs::path trustees = o.dir / "trustees";
  if (o.verifiable) {
    BallotPolicy policy;
    policy.scheme = BallotScheme::kVerifiable;
    policy.results = ResultsMode::kAfterClose;
    Status w = os::WriteFileAtomically(
        election_file, ElectionToJson(Election::Default2016().WithPolicy(policy)) + "\n");
    if (w.ok()) {
      w = RunChild(
          {"trustees", "init", "--trustees", "3", "--threshold", "2", "--kdf", "interactive",
           "--election", election_file.string(), "--out", trustees.string()},
          o.dir / "trustees.log", phase.commands, say);
    }
    if (!w.ok()) return UpFailed(phase, o, "the key ceremony: " + w.message());
  }

  // 1. Bring the cluster up and wait for DIR/cluster.json, which `up` writes once every region
  //    is healthy.
  auto started = SteadyClock::now();
  // Spawned from the main thread: if the bench is killed outright, `up` still stops its cluster.
  cluster::UpProcessOptions up_options;
  up_options.dir = o.dir;
  up_options.regions = o.regions;
  up_options.base_port = o.base_port;
  up_options.parent_death_signal = SIGTERM;
  up_options.stop_grace = std::chrono::seconds(30);
  if (o.verifiable) up_options.extra_args = {"--election", election_file.string()};
  auto up = cluster::UpProcess::Start(up_options);
  if (!up.ok()) return UpFailed(phase, o, "cannot start landslide up: " + up.status().message());
  phase.commands.push_back(up->command());
  say("$ " + phase.commands.back() + "   (log: " + (o.dir / "up.log").string() + ")");
  auto info = up->WaitForClusterFile(o.up_timeout, nullptr, stop);
  if (!info.ok()) {
    up->Stop();
    return UpFailed(
        phase, o,
        "landslide up --regions " + std::to_string(o.regions) + ": " + info.status().message());
  }
  phase.timings_s.emplace_back("up", SecondsSince(started));
  for (const auto& r : info->regions) phase.targets.push_back(r.http);
  say("cluster up in " + std::to_string(static_cast<int>(SecondsSince(started))) +
      " s: " + std::to_string(info->regions.size()) + " region(s)");
  phase.resources.push_back(TakeSnapshot(*info, o.dir, "after_up", false));

  // From here on a problem fails the phase; `up` is stopped on every path below.
  auto finish = [&](PhaseStatus status, std::string reason) {
    if (!reason.empty()) {
      phase.status = status;
      phase.reason = std::move(reason);
    }
    say("stopping the cluster");
    const auto t = SteadyClock::now();
    os::ExitStatus how = up->Stop();
    phase.timings_s.emplace_back("teardown", SecondsSince(t));
    if (!how.success() && how.signal != SIGTERM) {
      say("landslide up " + how.ToString() + " while stopping; see " + (o.dir / "up.log").string());
    }
    // `up` stops what it started; anything it left is ours to end, so nothing outlives the bench.
    for (const auto& r : info->regions) {
      for (const auto& [name, pid] : r.pids) {
        if (pid > 0 && !os::IsGone(pid) && CommandLineMentions(pid, o.dir.string())) {
          say(r.name + " " + name + " (pid " + std::to_string(pid) + ") outlived up; killing it");
          ::kill(pid, SIGKILL);
        }
      }
    }
    return phase;
  };

  // 2. Import the registry and wait for every region to load it.
  auto t = SteadyClock::now();
  std::vector<std::string> import = {"voters", "import", "--db", info->db, "--keys", info->keys};
  if (o.verifiable) {
    import.insert(import.end(), {"--election", election_file.string(), "--trustees",
                                 (trustees / "trustees.json").string()});
  }
  import.push_back(o.voters_csv.string());
  Status s = RunChild(import, o.dir / "import.log", phase.commands, say);
  if (!s.ok()) return finish(PhaseStatus::kFailed, "import: " + s.message());
  phase.timings_s.emplace_back("import", SecondsSince(t));
  t = SteadyClock::now();
  s = WaitForRegistry(info->regions, phase.voters, stop);
  if (!s.ok()) return finish(PhaseStatus::kFailed, s.message());
  phase.timings_s.emplace_back("registry_load", SecondsSince(t));
  say("registry of " + std::to_string(phase.voters) + " voters loaded in every region");
  phase.resources.push_back(TakeSnapshot(*info, o.dir, "after_import", true));

  // 3. Peak and half peak.
  LoadSettings load = o.load;
  load.targets = phase.targets;
  if (o.verifiable) {
    auto hp = os::HostPortOfUrl(phase.targets.front());
    auto manifest = hp ? os::HttpGet(hp->first, hp->second, "/manifest", std::chrono::seconds(10))
                       : Result<os::HttpResponse>(Status::InvalidArgument("bad target URL"));
    if (!manifest.ok() || manifest->status != 200) {
      return finish(PhaseStatus::kFailed,
                    "GET /manifest: " + (manifest.ok() ? std::to_string(manifest->status)
                                                       : manifest.status().message()));
    }
    load.manifest = manifest->body;
  }
  t = SteadyClock::now();
  RunPeakAndHalf(load, plan, phase, say);
  phase.timings_s.emplace_back("casting", SecondsSince(t));
  phase.resources.push_back(TakeSnapshot(*info, o.dir, "after_cast", true));
  phase.load_average_1m = LoadAverage()[0];
  return finish(phase.status, "");
}

}  // namespace landslide::bench
