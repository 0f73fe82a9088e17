// `landslide up`: brings up a local cluster on loopback, writes DIR/cluster.json once every
// region answers GET /health with 200, and stays in the foreground until SIGINT or SIGTERM, then
// stops what it started. Only a single region exists so far: one PostgreSQL server (run as the
// `postgres` user when we are root) and one `landslide serve` in front of it.
//
// SIGINT and SIGTERM are blocked for the whole command and taken with sigtimedwait, so there is
// no signal handler and shutdown runs on the main thread in plain order: serve first (it drains),
// then PostgreSQL.
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cluster/cluster_file.h"
#include "cluster/http_probe.h"
#include "cluster/local_postgres.h"
#include "cluster/process.h"
#include "crypto/keys.h"
#include "db/pg.h"
#include "db/schema.h"

namespace landslide::cli {

namespace {

namespace fs = std::filesystem;
using cluster::ClusterInfo;
using cluster::Process;
using cluster::RegionInfo;

struct UpFlags {
  int regions = 3;
  std::string dir;
  int base_port = 7000;
  std::string election;
  std::string keys;
  std::string restart_region;
  std::string serve_binary;
};

// Blocks SIGINT, SIGTERM and SIGCHLD for this thread (children unblock them for themselves) and
// restores the old mask when the command ends.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedSignals() {
    // Signals still pending (a SIGCHLD, a second Ctrl-C during shutdown) must not fire once
    // unblocked: everything is stopped by now.
    timespec zero{0, 0};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

  // Waits up to `timeout` for a signal: SIGINT/SIGTERM -> true (stop), else false.
  bool StopRequested(std::chrono::milliseconds timeout) {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>((timeout.count() % 1000) * 1000000)};
    int sig = sigtimedwait(&set_, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      stop_signal_ = sig;
      return true;
    }
    return stop_signal_ != 0;
  }
  int stop_signal() const { return stop_signal_; }

 private:
  sigset_t set_;
  sigset_t old_;
  int stop_signal_ = 0;
};

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// The last line a process wrote to its log since `offset` (logs are appended across runs).
std::string LastLineSince(const fs::path& log, std::uintmax_t offset) {
  std::ifstream in(log, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = std::max<std::streamoff>(static_cast<std::streamoff>(offset), size - 400);
  if (!in || size <= start) return "(nothing)";
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// One region's processes, owned by this `up`.
struct Region {
  int index = 0;
  std::string name;
  cluster::RegionPorts ports{};
  std::unique_ptr<cluster::LocalPostgres> postgres;
  pid_t postgres_pid = -1;  // ours, or one we found running and left alone
  std::optional<Process> serve;
  pid_t serve_pid = -1;
  fs::path serve_log;
  std::uintmax_t serve_log_offset = 0;
  bool reported_serve = false;
  bool reported_postgres = false;
};

class Up {
 public:
  Up(UpFlags flags, cluster::UpSettings settings, fs::path dir, BlockedSignals& signals)
      : flags_(std::move(flags)),
        settings_(std::move(settings)),
        dir_(std::move(dir)),
        signals_(signals) {}

  Status StartRegion(Region& r);
  Status WaitUntilHealthy(Region& r);
  Status WriteClusterFile(const std::vector<Region*>& regions);
  void Supervise(std::vector<Region*>& regions);
  void StopRegion(Region& r);
  // Removes cluster.json unless some region in it now belongs to another process.
  void RemoveClusterFileIfOurs(const std::vector<Region*>& regions);

 private:
  std::string ServeBinary() const;

  UpFlags flags_;
  cluster::UpSettings settings_;
  fs::path dir_;
  BlockedSignals& signals_;
};

std::string Up::ServeBinary() const {
  if (!flags_.serve_binary.empty()) return fs::absolute(flags_.serve_binary).string();
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("landslide") : self.string();
}

Status Up::StartRegion(Region& r) {
  const bool restart = !flags_.restart_region.empty();
  cluster::LocalPostgresOptions o;
  o.dir = dir_ / r.name / "postgres";
  o.port = r.ports.postgres;
  o.log_file = dir_ / "logs" / (r.name + "-postgres.log");
  // If `up` itself is killed with SIGKILL, PostgreSQL shuts down rather than lingering.
  o.parent_death_signal = SIGQUIT;
  auto pg = cluster::LocalPostgres::Create(o);
  if (!pg.ok()) return pg.status();
  r.postgres = std::move(*pg);
  const std::string conninfo = r.postgres->conninfo();

  auto running = cluster::LivePostmaster(r.postgres->data_dir());
  if (restart && running) {
    // --restart-region brings back what is down and leaves alone what still runs.
    Say(r.name + ": PostgreSQL is still running (pid " + std::to_string(*running) +
        "); leaving it as it is");
    r.postgres_pid = *running;
  } else {
    if (!cluster::PortIsFree(o.port)) {
      return Status::Unavailable(r.name + ": port " + std::to_string(o.port) +
                                 " (its PostgreSQL) is already in use; stop whatever holds it "
                                 "or choose another --base-port");
    }
    Say(r.name + ": starting PostgreSQL on 127.0.0.1:" + std::to_string(o.port) + " (data in " +
        r.postgres->data_dir().string() + ", log " + o.log_file.string() + ")");
    LANDSLIDE_RETURN_IF_ERROR(r.postgres->Start().Context(r.name));
    r.postgres_pid = r.postgres->postmaster_pid();
  }
  {
    auto conn = db::PgConnection::Connect(conninfo, std::chrono::seconds(10));
    if (!conn.ok()) return conn.status().Context(r.name);
    LANDSLIDE_RETURN_IF_ERROR(db::EnsureSchema(**conn).Context(r.name + ": creating the schema"));
  }

  const std::string http = "127.0.0.1:" + std::to_string(r.ports.http);
  if (!cluster::PortIsFree(r.ports.http)) {
    pid_t old_pid = -1;
    if (restart) {
      auto old = cluster::ReadClusterFile(dir_ / "cluster.json");
      for (const auto& ri : old.ok() ? old->regions : std::vector<RegionInfo>{}) {
        if (ri.name == r.name && ri.pids.count("serve")) old_pid = ri.pids.at("serve");
      }
    }
    if (old_pid <= 0 || cluster::IsGone(old_pid)) {
      return Status::Unavailable(r.name + ": port " + std::to_string(r.ports.http) +
                                 " is already in use (a `landslide serve` from an earlier "
                                 "run?); stop whatever holds it or choose another --base-port");
    }
    Say(r.name + ": landslide serve is still running (pid " + std::to_string(old_pid) +
        "); leaving it as it is");
    r.serve_pid = old_pid;
    return WaitUntilHealthy(r);
  }
  cluster::ProcessOptions so;
  so.argv = {ServeBinary(), "serve",  "--region",  r.name,   "--http", http,
             "--db",        conninfo, "--replica", conninfo, "--keys", settings_.keys};
  if (!settings_.election.empty()) {
    so.argv.push_back("--election");
    so.argv.push_back(settings_.election);
  }
  r.serve_log = dir_ / "logs" / (r.name + "-serve.log");
  so.log_file = r.serve_log;
  so.parent_death_signal = SIGTERM;
  so.stop_grace = std::chrono::seconds(15);
  Say(r.name + ": starting landslide serve on http://" + http + " (log " + r.serve_log.string() +
      ")");
  std::error_code ec;
  r.serve_log_offset = fs::exists(r.serve_log) ? fs::file_size(r.serve_log, ec) : 0;
  auto serve = Process::Spawn(so);
  if (!serve.ok()) return serve.status().Context(r.name + ": starting landslide serve");
  r.serve = std::move(*serve);
  r.serve_pid = r.serve->pid();

  return WaitUntilHealthy(r);
}

Status Up::WaitUntilHealthy(Region& r) {
  cluster::HealthWait wait;
  wait.port = r.ports.http;
  wait.timeout = std::chrono::seconds(60);
  wait.keep_going = [this, &r]() -> Status {
    if (signals_.StopRequested(std::chrono::milliseconds(0))) {
      return Status::Unavailable("interrupted during start-up");
    }
    if (r.serve && !r.serve->Running()) {
      return Status::Unavailable(
          "landslide serve " + r.serve->exit_status()->ToString() +
          " during start-up; its last words: " + LastLineSince(r.serve_log, r.serve_log_offset));
    }
    return Status::Ok();
  };
  wait.progress = [&r](std::chrono::seconds waited, const std::string& last) {
    Say(r.name + ": waiting for GET /health to answer 200 (" + std::to_string(waited.count()) +
        " s so far; last: " + last + ")");
  };
  LANDSLIDE_RETURN_IF_ERROR(cluster::WaitForHttpOk(wait).Context(r.name));
  Say(r.name + ": healthy");
  return Status::Ok();
}

Status Up::WriteClusterFile(const std::vector<Region*>& regions) {
  const fs::path path = dir_ / "cluster.json";
  ClusterInfo info;
  if (!flags_.restart_region.empty()) {
    // Keep the other regions' entries as the first `up` wrote them.
    auto old = cluster::ReadClusterFile(path);
    if (old.ok()) info = std::move(*old);
  }
  info.keys = settings_.keys;
  for (Region* r : regions) {
    RegionInfo ri;
    ri.name = r->name;
    ri.http = "http://127.0.0.1:" + std::to_string(r->ports.http);
    ri.replica = r->postgres->conninfo();  // one region: its own server is its "standby"
    ri.pids = {{"serve", r->serve_pid}, {"postgres", r->postgres_pid}};
    if (r->index == 0) info.db = r->postgres->conninfo();
    bool replaced = false;
    for (auto& existing : info.regions) {
      if (existing.name == ri.name) {
        existing = ri;
        replaced = true;
      }
    }
    if (!replaced) info.regions.push_back(std::move(ri));
  }
  return cluster::WriteClusterFile(path, info);
}

void Up::Supervise(std::vector<Region*>& regions) {
  while (!signals_.StopRequested(std::chrono::seconds(1))) {
    for (Region* r : regions) {
      // Tests kill processes on purpose to simulate a region's loss: report, keep running.
      if (r->serve && !r->reported_serve && !r->serve->Running()) {
        r->reported_serve = true;
        std::fprintf(stderr,
                     "landslide: %s: landslide serve (pid %d) %s; the rest keeps running "
                     "(bring it back with --restart-region %s)\n",
                     r->name.c_str(), r->serve_pid, r->serve->exit_status()->ToString().c_str(),
                     r->name.c_str());
      }
      if (r->postgres->postmaster_pid() > 0 && !r->reported_postgres && !r->postgres->Running()) {
        r->reported_postgres = true;
        std::fprintf(stderr, "landslide: %s: PostgreSQL (pid %d) stopped unexpectedly; see %s\n",
                     r->name.c_str(), r->postgres_pid, r->postgres->log_file().c_str());
      }
    }
  }
}

void Up::StopRegion(Region& r) {
  if (r.serve && r.serve->Running()) {
    Say(r.name + ": stopping landslide serve (pid " + std::to_string(r.serve_pid) + ")");
    r.serve->Terminate(std::chrono::seconds(15));
  }
  if (r.postgres && r.postgres->Running()) {
    Say(r.name + ": stopping PostgreSQL (pid " + std::to_string(r.postgres_pid) + ")");
    Status s = r.postgres->Stop(cluster::StopMode::kFast);
    if (!s.ok()) std::fprintf(stderr, "landslide: %s: %s\n", r.name.c_str(), s.message().c_str());
  }
}

void Up::RemoveClusterFileIfOurs(const std::vector<Region*>& regions) {
  const fs::path path = dir_ / "cluster.json";
  auto info = cluster::ReadClusterFile(path);
  if (!info.ok()) return;
  for (const auto& ri : info->regions) {
    bool ours = false;
    for (const Region* r : regions) {
      // Processes we merely found running (postgres_pid of another `up`) do not make it ours.
      ours = ours || (ri.name == r->name && r->serve && ri.pids.count("serve") &&
                      ri.pids.at("serve") == r->serve_pid);
    }
    if (!ours) return;
  }
  std::error_code ec;
  fs::remove(path, ec);
}

Result<cluster::UpSettings> ResolveSettings(const UpFlags& f, bool regions_given,
                                            const fs::path& dir) {
  cluster::UpSettings s;
  if (!f.restart_region.empty()) {
    auto text = cluster::ReadWholeFile(dir / "up.json");
    if (!text.ok()) {
      return Status::NotFound("there is no cluster in " + dir.string() +
                              " to restart a region of (no up.json); start one with "
                              "`landslide up --dir " +
                              dir.string() + "` first");
    }
    auto saved = cluster::UpSettingsFromJson(*text);
    if (!saved.ok()) return saved.status();
    s = *saved;
    if (regions_given && f.regions != s.regions) {
      return Status::InvalidArgument("the cluster in " + dir.string() + " has " +
                                     std::to_string(s.regions) + " region(s), not " +
                                     std::to_string(f.regions));
    }
  } else {
    s.regions = f.regions;
    s.base_port = f.base_port;
    s.keys = fs::absolute(f.keys.empty() ? dir / "keys" : fs::path(f.keys)).string();
    if (!f.election.empty()) s.election = fs::absolute(f.election).string();
  }
  return s;
}

int RunUp(const UpFlags& flags, bool regions_given) {
  if (flags.regions != 1 && flags.regions != 3) return Fail(2, "--regions must be 1 or 3");
  if (flags.base_port < 1024 || flags.base_port > 65535 - 50) {
    return Fail(2, "--base-port must be between 1024 and 65485");
  }
  const fs::path dir = fs::absolute(flags.dir).lexically_normal();
  auto settings = ResolveSettings(flags, regions_given, dir);
  if (!settings.ok()) {
    return Fail(settings.status().code() == Code::kInvalidArgument ? 2 : 1,
                settings.status().message());
  }
  if (settings->regions == 3) {
    return Fail(1,
                "three regions are not available yet (they need Patroni and etcd); use "
                "--regions 1 for now");
  }
  std::vector<std::string> names(cluster::RegionNames().begin(),
                                 cluster::RegionNames().begin() + settings->regions);
  if (!flags.restart_region.empty() &&
      std::find(names.begin(), names.end(), flags.restart_region) == names.end()) {
    return Fail(2, "there is no region " + flags.restart_region + " in this cluster");
  }
  if (!flags.election.empty() && !fs::exists(settings->election)) {
    return Fail(2, "election file " + settings->election + " does not exist");
  }

  std::error_code ec;
  for (const fs::path& d : {dir, dir / "logs"}) {
    fs::create_directories(d, ec);
    if (ec) return Fail(1, "cannot create " + d.string() + ": " + ec.message());
    // PostgreSQL runs as another user and must pass through these.
    fs::permissions(d,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
  }
  if (!fs::exists(fs::path(settings->keys) / "election.pub")) {
    auto created = CreateKeys(settings->keys);
    if (!created.ok()) return Fail(1, created.status().message());
    Say("created the election's keys in " + settings->keys);
  } else if (auto loaded = LoadKeys(settings->keys, SecretKeys::kNone); !loaded.ok()) {
    return Fail(1, loaded.status().message());
  }
  if (flags.restart_region.empty()) {
    Status s = cluster::WriteFileAtomically(dir / "up.json", cluster::UpSettingsToJson(*settings));
    if (!s.ok()) return Fail(1, s.message());
    // A cluster.json from an earlier run would tell scripts we are up before we are.
    fs::remove(dir / "cluster.json", ec);
  }

  BlockedSignals signals;
  Up up(flags, *settings, dir, signals);
  std::vector<std::unique_ptr<Region>> owned;
  std::vector<Region*> regions;
  for (int i = 0; i < settings->regions; ++i) {
    if (!flags.restart_region.empty() && names[i] != flags.restart_region) continue;
    auto r = std::make_unique<Region>();
    r->index = i;
    r->name = names[i];
    r->ports = cluster::PortsFor(settings->base_port, i);
    regions.push_back(r.get());
    owned.push_back(std::move(r));
  }
  auto stop_all = [&] {
    for (auto it = regions.rbegin(); it != regions.rend(); ++it) up.StopRegion(**it);
  };
  for (Region* r : regions) {
    Status s = up.StartRegion(*r);
    if (!s.ok()) {
      stop_all();
      return Fail(1, s.message());
    }
  }
  Status written = up.WriteClusterFile(regions);
  if (!written.ok()) {
    stop_all();
    return Fail(1, written.message());
  }
  Say("cluster is up: " + (dir / "cluster.json").string());
  for (Region* r : regions) {
    Say("  " + r->name + ": voter site http://127.0.0.1:" + std::to_string(r->ports.http) +
        "/  results http://127.0.0.1:" + std::to_string(r->ports.http) + "/results");
  }
  Say("press Ctrl-C (or send SIGTERM) to stop everything");

  up.Supervise(regions);
  Say(std::string("received ") + (signals.stop_signal() == SIGINT ? "SIGINT" : "SIGTERM") +
      "; stopping");
  stop_all();
  up.RemoveClusterFileIfOurs(regions);
  Say("stopped");
  return 0;
}

}  // namespace

void AddUpCommand(CLI::App& app, CommandContext& ctx) {
  auto* c = app.add_subcommand(
      "up",
      "Bring up a local cluster on loopback and stay in the foreground until SIGINT/SIGTERM, "
      "then stop everything it started");
  auto f = std::make_shared<UpFlags>();
  auto* regions = c->add_option("--regions", f->regions,
                                "Number of regions, 1 or 3 (default 3; only 1 is available yet)");
  c->add_option("--dir", f->dir, "Directory for all state and logs (created if missing)")
      ->required();
  c->add_option("--base-port", f->base_port,
                "First port: region i's site listens on P+i, its PostgreSQL on P+10+i "
                "(default 7000)");
  c->add_option("--election", f->election, "Election definition file passed to each serve");
  c->add_option("--keys", f->keys,
                "Keys directory (default DIR/keys; created with fresh keys if missing)");
  c->add_option("--restart-region", f->restart_region,
                "Bring region NAME of the cluster in DIR back after its processes were killed: "
                "starts whatever of it is down (reusing its data and the settings the cluster "
                "was started with), updates cluster.json, and stays in the foreground like up");
  c->add_option("--serve-binary", f->serve_binary,
                "Program to run as `PROGRAM serve ...` for each region (default: this binary)");
  c->footer(
      "Writes DIR/cluster.json once every region answers GET /health with 200 (see "
      "CONTRACT.md), and removes it on a clean stop.\nLogs: DIR/logs/<region>-serve.log, "
      "DIR/logs/<region>-postgres.log.\nTo simulate losing a region, kill the pids listed in "
      "cluster.json; `landslide up --dir DIR --restart-region NAME` brings it back.");
  c->callback([&ctx, f, regions] { ctx.exit_code = RunUp(*f, regions->count() > 0); });
}

}  // namespace landslide::cli
