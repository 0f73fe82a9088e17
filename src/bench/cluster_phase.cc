#include "bench/cluster_phase.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/system_probe.h"
#include "cluster/http_probe.h"
#include "cluster/process.h"
#include "db/pg.h"

namespace landslide::bench {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

std::string Quote(const std::vector<std::string>& argv) {
  std::string out = "landslide";
  for (size_t i = 1; i < argv.size(); ++i) {
    const bool plain = argv[i].find_first_of(" \"'=;") == std::string::npos;
    out += " " + (plain ? argv[i] : "'" + argv[i] + "'");
  }
  return out;
}

// The last non-empty line of a child's log: usually the one sentence that says why it failed.
std::string LastLine(const fs::path& log) {
  std::string tail = cluster::TailOfFile(log, 2000);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  const size_t nl = tail.rfind('\n');
  std::string line = nl == std::string::npos ? tail : tail.substr(nl + 1);
  return line.empty() ? "(no output; see " + log.string() + ")" : line;
}

// Runs `landslide ARGS...` to completion with its output in `log`.
Status RunChild(const std::vector<std::string>& args, const fs::path& log,
                std::vector<std::string>& commands,
                const std::function<void(std::string_view)>& say) {
  std::vector<std::string> argv = {SelfPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  commands.push_back(Quote(argv));
  say("$ " + commands.back() + "   (log: " + log.string() + ")");
  cluster::ProcessOptions po;
  po.argv = argv;
  po.log_file = log;
  po.parent_death_signal = SIGTERM;
  auto p = cluster::Process::Spawn(po);
  if (!p.ok()) return p.status();
  auto st = p->Wait(std::chrono::hours(1));
  if (!st.ok()) return st.status();
  if (!st->success()) {
    return Status::Internal(args[0] + " " + args[1] + " " + st->ToString() + ": " + LastLine(log));
  }
  return Status::Ok();
}

std::optional<std::pair<std::string, int>> HostPort(const std::string& url) {
  const size_t slashes = url.find("//");
  std::string rest = slashes == std::string::npos ? url : url.substr(slashes + 2);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const int port = std::atoi(rest.c_str() + colon + 1);
  if (port <= 0) return std::nullopt;
  return std::make_pair(rest.substr(0, colon), port);
}

// Each region reloads the registry from its standby when an import lands; wait until all have.
Status WaitForRegistry(const std::vector<cluster::RegionInfo>& regions, int64_t voters,
                       const std::atomic<bool>* stop) {
  const auto deadline = SteadyClock::now() + std::chrono::seconds(180);
  for (const auto& r : regions) {
    auto hp = HostPort(r.http);
    if (!hp) return Status::InvalidArgument("bad region URL " + r.http);
    while (true) {
      auto resp = cluster::HttpGet(hp->first, hp->second, "/health", std::chrono::seconds(5));
      if (resp.ok()) {
        auto j = nlohmann::json::parse(resp->body, nullptr, false);
        if (!j.is_discarded() && j.contains("checks") && j["checks"].contains("registry") &&
            j["checks"]["registry"].value("voters", int64_t{0}) >= voters) {
          break;
        }
      }
      if (stop && stop->load()) return Status::Aborted("interrupted");
      if (SteadyClock::now() > deadline) {
        return Status::Unavailable(r.http + " did not load the registry within 180 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
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
  for (const char* table : {"registry", "pollbook", "ballots", "batches"}) {
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
  auto cmdline = cluster::ReadWholeFile("/proc/" + std::to_string(pid) + "/cmdline");
  return cmdline.ok() && cmdline->find(text) != std::string::npos;
}

PhaseResult UpFailed(PhaseResult phase, const ClusterPhaseOptions& o, std::string why) {
  phase.status = o.skip_if_up_fails ? PhaseStatus::kSkipped : PhaseStatus::kFailed;
  phase.reason = std::move(why);
  return phase;
}

}  // namespace

std::string SelfPath() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "landslide" : p.string();
}

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

  // 1. Bring the cluster up and wait for DIR/cluster.json, which `up` writes once every region
  //    is healthy.
  std::vector<std::string> up_argv = {
      SelfPath(), "up",           "--regions",   std::to_string(o.regions),
      "--dir",    o.dir.string(), "--base-port", std::to_string(o.base_port)};
  phase.commands.push_back(Quote(up_argv));
  say("$ " + phase.commands.back() + "   (log: " + (o.dir / "up.log").string() + ")");
  cluster::ProcessOptions po;
  po.argv = up_argv;
  po.log_file = o.dir / "up.log";
  po.stop_grace = std::chrono::seconds(30);
  // Spawned from the main thread: if the bench is killed outright, `up` still stops its cluster.
  po.parent_death_signal = SIGTERM;
  auto started = SteadyClock::now();
  auto up = cluster::Process::Spawn(po);
  if (!up.ok()) return UpFailed(phase, o, "cannot start landslide up: " + up.status().message());
  const fs::path cluster_file = o.dir / "cluster.json";
  while (!fs::exists(cluster_file, ec)) {
    if (!up->Running()) {
      return UpFailed(phase, o,
                      "landslide up --regions " + std::to_string(o.regions) + " " +
                          (up->exit_status() ? up->exit_status()->ToString() : "ended") + ": " +
                          LastLine(o.dir / "up.log"));
    }
    if (stop && stop->load()) {
      up->Terminate(std::chrono::seconds(30));
      return UpFailed(phase, o, "interrupted while the cluster came up");
    }
    if (SteadyClock::now() - started > o.up_timeout) {
      up->Terminate(std::chrono::seconds(30));
      return UpFailed(phase, o,
                      "the cluster was not up within " + std::to_string(o.up_timeout.count()) +
                          " s; see " + (o.dir / "up.log").string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto info = cluster::ReadClusterFile(cluster_file);
  if (!info.ok()) {
    up->Terminate(std::chrono::seconds(30));
    return UpFailed(phase, o,
                    "cannot read " + cluster_file.string() + ": " + info.status().message());
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
    cluster::ExitStatus how = up->Terminate(std::chrono::seconds(30));
    phase.timings_s.emplace_back("teardown", SecondsSince(t));
    if (!how.success() && how.signal != SIGTERM) {
      say("landslide up " + how.ToString() + " while stopping; see " + (o.dir / "up.log").string());
    }
    // `up` stops what it started; anything it left is ours to end, so nothing outlives the bench.
    for (const auto& r : info->regions) {
      for (const auto& [name, pid] : r.pids) {
        if (pid > 0 && !cluster::IsGone(pid) && CommandLineMentions(pid, o.dir.string())) {
          say(r.name + " " + name + " (pid " + std::to_string(pid) + ") outlived up; killing it");
          ::kill(pid, SIGKILL);
        }
      }
    }
    return phase;
  };

  // 2. Import the registry and wait for every region to load it.
  auto t = SteadyClock::now();
  Status s =
      RunChild({"voters", "import", "--db", info->db, "--keys", info->keys, o.voters_csv.string()},
               o.dir / "import.log", phase.commands, say);
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
  t = SteadyClock::now();
  RunPeakAndHalf(load, plan, phase, say);
  phase.timings_s.emplace_back("casting", SecondsSince(t));
  phase.resources.push_back(TakeSnapshot(*info, o.dir, "after_cast", true));
  phase.load_average_1m = LoadAverage()[0];
  return finish(phase.status, "");
}

}  // namespace landslide::bench
