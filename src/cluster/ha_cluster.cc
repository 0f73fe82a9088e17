#include "cluster/ha_cluster.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <optional>
#include <thread>

#include "cluster/ha_database.h"
#include "cluster/local_postgres.h"
#include "cluster/region_network.h"
#include "common/strings.h"
#include "db/pg.h"
#include "os/http_client.h"
#include "os/ports.h"
#include "os/process.h"
#include "os/users.h"

namespace landslide::cluster {

namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Members = std::vector<PatroniMember>;

class HaCluster : public LocalCluster {
 public:
  HaCluster(UpContext ctx, HaTimings timings) : ctx_(std::move(ctx)), timings_(timings) {}

  Status Start() override;
  Status WriteClusterFile() override;
  void Check() override;
  void Stop() override;
  void RemoveClusterFileIfOurs() override;
  std::vector<std::string> RegionNamesStarted() const override {
    std::vector<std::string> out;
    for (const HaRegion* r : ours_) out.push_back(r->name);
    return out;
  }

 private:
  Status Prepare();
  Status StartWholeCluster();
  Status RestartRegion(HaRegion& r);
  Status CheckPortsFree(const HaRegion& r) const;
  Status StartEtcdMember(HaRegion& r);
  Status WaitEtcdHealthy(HaRegion& r);
  Status StartPatroniMember(HaRegion& r);
  Status StartServe(HaRegion& r, bool restart);
  // Polls GET /cluster (on any member that answers) until `done` holds.
  Result<Members> WaitForMembers(const std::function<bool(const Members&)>& done, seconds timeout,
                                 const std::string& what);
  void ReadPostmasterPid(HaRegion& r);
  // The member's own Patroni (not a key in etcd, which outlives a killed member) says it runs.
  bool SaysRunning(const HaRegion& r) const;
  // The leader's PostgreSQL streams WAL to `r`'s (pg_stat_replication, by application name).
  bool LeaderStreamsTo(const Members& members, const HaRegion& r) const;
  Status StillGoing() const;  // non-OK once SIGINT/SIGTERM arrived
  Status PrepareNetwork();
  // Something listens on the region's `port` (in its namespace with --netns).
  bool PortTaken(const HaRegion& r, int port) const;
  HaRegion* Region(const std::string& name) const;
  void StopPatronis();

  UpContext ctx_;
  HaTimings timings_;
  std::vector<std::unique_ptr<HaRegion>> all_;
  std::vector<HaRegion*> ours_;
  bool wrote_cluster_file_ = false;
  std::optional<RegionNetwork> network_;  // with --netns
  bool made_network_ = false;             // ours to remove when we stop
};

Status HaCluster::StillGoing() const {
  return ctx_.interrupted() ? Status::Unavailable("interrupted during start-up") : Status::Ok();
}

HaRegion* HaCluster::Region(const std::string& name) const {
  for (const auto& r : all_) {
    if (r->name == name) return r.get();
  }
  return nullptr;
}

Status HaCluster::Prepare() {
  for (const char* program : {"etcd", "patroni"}) {
    if (!os::ResolveProgram(program).ok()) {
      return Status::NotFound(std::string(program) +
                              " was not found in PATH; three regions need etcd and Patroni "
                              "(Debian: apt-get install etcd-server patroni)");
    }
  }
  auto bin = FindPostgresBinDir();
  if (!bin.ok()) return bin.status();
  for (const char* tool : {"pg_ctl", "pg_rewind", "pg_basebackup", "pg_controldata"}) {
    if (access((*bin / tool).c_str(), X_OK) != 0) {
      return Status::NotFound((*bin / tool).string() + " is missing; Patroni needs it");
    }
  }
  const bool restart = !ctx_.restart_region.empty();
  auto password = LoadOrCreatePassword(ctx_.dir / "postgres.password", /*create=*/!restart);
  if (!password.ok()) return password.status();
  LANDSLIDE_RETURN_IF_ERROR(PrepareNetwork());
  all_ = LayOutRegions(ctx_.dir, ctx_.settings.base_port, *bin, *password, timings_,
                       network_ ? &*network_ : nullptr);
  for (const auto& r : all_) {
    if (!restart || r->name == ctx_.restart_region) ours_.push_back(r.get());
  }
  if (ours_.empty()) return Status::InvalidArgument("there is no region " + ctx_.restart_region);

  std::optional<os::UserIds> pg_user;
  if (geteuid() == 0) {
    auto ids = os::LookUpUser("postgres");
    if (!ids.ok()) {
      return Status::FailedPrecondition(
          "PostgreSQL refuses to run as root and user postgres does not exist; install the "
          "postgresql package (it creates that user)");
    }
    pg_user = std::move(*ids);
  }
  for (HaRegion* r : ours_) {
    const fs::path region_dir = ctx_.dir / r->name;
    std::error_code ec;
    fs::create_directories(region_dir, ec);
    if (ec) return Status::Internal("cannot create " + region_dir.string() + ": " + ec.message());
    // Patroni runs as the unprivileged user and must pass through to its own directory.
    fs::permissions(region_dir,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
    if (pg_user) LANDSLIDE_RETURN_IF_ERROR(CheckTraversable(region_dir, *pg_user));
    const std::string socket =
        (PatroniSocketDir(r->patroni_options) / (".s.PGSQL." + std::to_string(r->ports.postgres)))
            .string();
    if (socket.size() > 107) {
      return Status::InvalidArgument("the directory " + ctx_.dir.string() +
                                     " is too deep for PostgreSQL's unix socket (" + socket +
                                     "); choose a shorter one");
    }
  }
  return CheckTiming(timings_.patroni);
}

Status HaCluster::PrepareNetwork() {
  if (!ctx_.settings.netns) return Status::Ok();
  network_ = PlanRegionNetwork(ctx_.settings.base_port, 3);
  if (!ctx_.restart_region.empty()) {
    // The first `up` made the namespaces and keeps them while it runs, even with every process
    // of a region dead.
    const auto& names = RegionNames();
    const int index = static_cast<int>(std::find(names.begin(), names.end(), ctx_.restart_region) -
                                       names.begin());
    return CheckRegionNamespace(*network_, index);
  }
  ctx_.say("network: bridge " + network_->bridge + " " + network_->bridge_address + ", regions " +
           "in namespaces " + network_->namespaces[0] + ".." + network_->namespaces.back() +
           " at " + network_->addresses[0] + ".." + network_->addresses.back());
  made_network_ = true;  // from here on, Stop removes whatever part of it exists
  Status s = CreateRegionNetwork(*network_, ctx_.dir / "logs" / "netns.log");
  if (!s.ok()) return s.Context("cannot create the regions' network namespaces");
  return Status::Ok();
}

bool HaCluster::PortTaken(const HaRegion& r, int port) const {
  if (r.netns.empty()) return !os::PortIsFree(port);
  return os::AcceptsConnections(r.host, port, milliseconds(1000));
}

Status HaCluster::Start() {
  LANDSLIDE_RETURN_IF_ERROR(Prepare());
  if (ctx_.restart_region.empty()) return StartWholeCluster();
  return RestartRegion(*ours_.front());
}

Status HaCluster::CheckPortsFree(const HaRegion& r) const {
  const std::pair<int, const char*> ports[] = {{r.ports.http, "its landslide serve"},
                                               {r.ports.postgres, "its PostgreSQL"},
                                               {r.ports.patroni, "its Patroni REST API"},
                                               {r.ports.etcd_client, "its etcd clients"},
                                               {r.ports.etcd_peer, "its etcd peers"}};
  for (const auto& [port, what] : ports) {
    if (PortTaken(r, port)) {
      return Status::Unavailable(r.name + ": port " + std::to_string(port) + " (" + what +
                                 ") is already in use; stop whatever holds it or choose another "
                                 "--base-port");
    }
  }
  return Status::Ok();
}

Status HaCluster::StartEtcdMember(HaRegion& r) {
  ctx_.say(r.name + ": starting etcd on " + r.host + ":" + std::to_string(r.ports.etcd_client) +
           " (data in " + r.etcd_options.data_dir.string() + ", log " + r.etcd_log().string() +
           ")");
  auto p = StartEtcd(r.etcd_options);
  if (!p.ok()) return p.status().Context(r.name);
  r.etcd = std::move(*p);
  r.etcd_pid = r.etcd->pid();
  r.reported_etcd = false;
  return Status::Ok();
}

Status HaCluster::WaitEtcdHealthy(HaRegion& r) {
  auto keep_going = [this, &r]() -> Status {
    LANDSLIDE_RETURN_IF_ERROR(StillGoing());
    if (r.etcd && !r.etcd->Running()) {
      return Status::Unavailable(
          "etcd " + r.etcd->exit_status()->ToString() +
          " during start-up; its log ends: " + OneLine(os::TailOfFile(r.etcd_log(), 400)));
    }
    return Status::Ok();
  };
  return WaitForEtcdHealthy(r.host, r.ports.etcd_client, seconds(60), keep_going).Context(r.name);
}

Status HaCluster::StartPatroniMember(HaRegion& r) {
  ctx_.say(r.name + ": starting Patroni (REST " + r.patroni_url() + ", PostgreSQL on " + r.host +
           ":" + std::to_string(r.ports.postgres) + ", log " + r.patroni_log().string() + ")");
  PatroniStart how;
  how.log_file = r.patroni_log();
  // If `up` is killed with SIGKILL, Patroni still stops its PostgreSQL.
  how.parent_death_signal = SIGTERM;
  how.netns = r.netns;
  auto p = StartPatroni(r.patroni_options, how);
  if (!p.ok()) return p.status().Context(r.name);
  r.patroni = std::move(*p);
  r.patroni_pid = r.patroni->pid();
  r.reported_patroni = false;
  return Status::Ok();
}

Result<Members> HaCluster::WaitForMembers(const std::function<bool(const Members&)>& done,
                                          seconds timeout, const std::string& what) {
  const auto start = SteadyClock::now();
  auto next_progress = start + seconds(5);
  Members last;
  while (true) {
    for (const auto& r : all_) {
      auto m = GetPatroniCluster(r->host, r->ports.patroni, milliseconds(1000));
      if (!m.ok()) continue;
      last = std::move(*m);
      if (done(last)) return last;
      break;
    }
    LANDSLIDE_RETURN_IF_ERROR(StillGoing());
    for (HaRegion* r : ours_) {
      if (r->patroni && !r->patroni->Running()) {
        return Status::Unavailable(
            r->name + ": Patroni " + r->patroni->exit_status()->ToString() + " while waiting for " +
            what + "; its log ends: " + OneLine(os::TailOfFile(r->patroni_log(), 600)));
      }
    }
    const auto now = SteadyClock::now();
    const auto waited = std::chrono::duration_cast<seconds>(now - start);
    if (waited >= timeout) {
      return Status::Unavailable("no " + what + " after " + std::to_string(waited.count()) +
                                 " s (Patroni reports: " + DescribeMembers(last) +
                                 "); see the logs in " + (ctx_.dir / "logs").string());
    }
    if (now >= next_progress) {
      ctx_.say("waiting for " + what + " (" + std::to_string(waited.count()) +
               " s so far; Patroni reports: " + DescribeMembers(last) + ")");
      next_progress = now + seconds(5);
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
}

bool HaCluster::SaysRunning(const HaRegion& r) const {
  auto self = GetPatroniSelf(r.host, r.ports.patroni, milliseconds(1000));
  return self.ok() && self->state == "running";
}

bool HaCluster::LeaderStreamsTo(const Members& members, const HaRegion& r) const {
  const PatroniMember* leader = FindRunning(members, "leader");
  const HaRegion* lr = leader ? Region(leader->name) : nullptr;
  if (lr == nullptr) return false;
  if (lr == &r) return true;
  auto conn = db::PgConnection::Connect(lr->superuser_conninfo(), seconds(2));
  if (!conn.ok()) return false;
  auto rows = (*conn)->ExecParams(
      "SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'",
      {r.name});
  return rows.ok() && rows->rows() > 0;
}

void HaCluster::ReadPostmasterPid(HaRegion& r) {
  auto pid = LivePostmaster(r.data_dir());
  r.postgres_pid = pid ? *pid : -1;
  r.reported_postgres = false;
}

Status HaCluster::StartServe(HaRegion& r, bool restart) {
  if (PortTaken(r, r.ports.http)) {
    pid_t old_pid = -1;
    if (restart) {
      auto old = ReadClusterFile(ctx_.dir / "cluster.json");
      for (const auto& ri : old.ok() ? old->regions : std::vector<RegionInfo>{}) {
        if (ri.name == r.name && ri.pids.count("serve")) old_pid = ri.pids.at("serve");
      }
    }
    if (old_pid <= 0 || os::IsGone(old_pid)) {
      return Status::Unavailable(r.name + ": port " + std::to_string(r.ports.http) +
                                 " is already in use (a `landslide serve` from an earlier "
                                 "run?); stop whatever holds it or choose another --base-port");
    }
    ctx_.say(r.name + ": landslide serve is still running (pid " + std::to_string(old_pid) +
             "); leaving it as it is");
    r.serve.pid = old_pid;
    return Status::Ok();
  }
  ServeSpec spec;
  spec.binary = ctx_.serve_binary;
  spec.region = r.name;
  spec.http_host = r.host;
  spec.http_port = r.ports.http;
  spec.netns = r.netns;
  spec.db = PrimaryConninfo(all_);
  spec.replica = r.replica_conninfo();
  spec.keys = ctx_.settings.keys;
  spec.election = ctx_.settings.election;
  spec.log_file = r.serve_log();
  for (const auto& region : all_) {
    spec.peers.emplace_back(region->name, region->http_url());
  }
  ctx_.say(r.name + ": starting landslide serve on " + r.http_url() + " (log " +
           spec.log_file.string() + ")");
  return r.serve.Start(spec);
}

Status HaCluster::StartWholeCluster() {
  for (HaRegion* r : ours_) LANDSLIDE_RETURN_IF_ERROR(CheckPortsFree(*r));
  for (HaRegion* r : ours_) LANDSLIDE_RETURN_IF_ERROR(StartEtcdMember(*r));
  // A member is healthy once a quorum has elected a leader, so all three start before we wait.
  for (HaRegion* r : ours_) LANDSLIDE_RETURN_IF_ERROR(WaitEtcdHealthy(*r));
  ctx_.say("etcd: all three members healthy");
  for (HaRegion* r : ours_) LANDSLIDE_RETURN_IF_ERROR(StartPatroniMember(*r));
  auto members = WaitForMembers(
      [this](const Members& m) {
        int running = 0;
        for (const auto& x : m) running += x.state == "running";
        if (!FindRunning(m, "leader") || !FindRunning(m, "sync_standby") || running != 3) {
          return false;
        }
        for (const HaRegion* r : ours_) {
          if (!SaysRunning(*r)) return false;
        }
        return true;
      },
      seconds(180), "a Patroni leader, a synchronous standby and a replica");
  if (!members.ok()) return members.status();
  const HaRegion* leader = Region(FindRunning(*members, "leader")->name);
  if (leader == nullptr) return Status::Internal("Patroni names an unknown leader");
  ctx_.say("Patroni: " + DescribeMembers(*members));
  LANDSLIDE_RETURN_IF_ERROR(CreateRoleAndDatabase(*leader));
  LANDSLIDE_RETURN_IF_ERROR(
      CreateSchemaOnEveryMember(*leader, all_, [this] { return StillGoing(); }));
  for (HaRegion* r : ours_) ReadPostmasterPid(*r);
  for (HaRegion* r : ours_) LANDSLIDE_RETURN_IF_ERROR(StartServe(*r, /*restart=*/false));
  for (HaRegion* r : ours_) {
    LANDSLIDE_RETURN_IF_ERROR(r->serve.WaitHealthy(r->host, r->ports.http, ctx_.interrupted,
                                                   ctx_.say, r->name, seconds(60)));
  }
  return Status::Ok();
}

Status HaCluster::RestartRegion(HaRegion& r) {
  std::map<std::string, int> old_pids;
  if (auto old = ReadClusterFile(ctx_.dir / "cluster.json"); old.ok()) {
    for (const auto& ri : old->regions) {
      if (ri.name == r.name) old_pids = ri.pids;
    }
  }
  // A process of this region that still runs (another `up` owns it) is left as it is.
  auto still_running = [&](const std::string& what) -> pid_t {
    auto it = old_pids.find(what);
    return it != old_pids.end() && it->second > 0 && !os::IsGone(it->second) ? it->second : -1;
  };
  auto in_use = [&](int port, const std::string& what, pid_t* pid) -> Result<bool> {
    if (!PortTaken(r, port)) return false;
    *pid = still_running(what);
    if (*pid > 0) return true;
    return Status::Unavailable(r.name + ": port " + std::to_string(port) + " (its " + what +
                               ") is in use by a process this cluster does not know");
  };

  if (!fs::exists(r.etcd_options.data_dir / "member")) {
    return Status::FailedPrecondition(
        r.name + ": its etcd data (" + r.etcd_options.data_dir.string() +
        ") is gone, so its member cannot rejoin; bring the whole cluster up again");
  }
  pid_t pid = -1;
  auto etcd_busy = in_use(r.ports.etcd_client, "etcd", &pid);
  if (!etcd_busy.ok()) return etcd_busy.status();
  if (*etcd_busy) {
    ctx_.say(r.name + ": etcd is still running (pid " + std::to_string(pid) +
             "); leaving it as it is");
    r.etcd_pid = pid;
  } else {
    LANDSLIDE_RETURN_IF_ERROR(StartEtcdMember(r));
  }
  LANDSLIDE_RETURN_IF_ERROR(WaitEtcdHealthy(r));

  auto patroni_busy = in_use(r.ports.patroni, "patroni", &pid);
  if (!patroni_busy.ok()) return patroni_busy.status();
  if (*patroni_busy) {
    ctx_.say(r.name + ": Patroni is still running (pid " + std::to_string(pid) +
             "); leaving it as it is");
    r.patroni_pid = pid;
  } else {
    if (auto orphan = LivePostmaster(r.data_dir())) {
      ctx_.say(r.name + ": PostgreSQL (pid " + std::to_string(*orphan) +
               ") outlived its Patroni; the new Patroni takes it over");
    }
    LANDSLIDE_RETURN_IF_ERROR(StartPatroniMember(r));
  }
  // Rejoined: its own Patroni says it runs, and the leader streams WAL to it (a former primary
  // is rewound first). Etcd's view alone would do: it keeps a killed member's key "running"
  // for up to ttl seconds.
  auto members = WaitForMembers(
      [this, &r](const Members& m) { return SaysRunning(r) && LeaderStreamsTo(m, r); },
      seconds(180), r.name + " to rejoin the Patroni cluster");
  if (!members.ok()) return members.status();
  ctx_.say("Patroni: " + DescribeMembers(*members));
  ReadPostmasterPid(r);
  LANDSLIDE_RETURN_IF_ERROR(StartServe(r, /*restart=*/true));
  return r.serve.WaitHealthy(r.host, r.ports.http, ctx_.interrupted, ctx_.say, r.name, seconds(60));
}

Status HaCluster::WriteClusterFile() {
  std::vector<RegionInfo> infos;
  for (const HaRegion* r : ours_) infos.push_back(r->Info());
  Status s = UpdateClusterFile(ctx_.dir / "cluster.json", PrimaryConninfo(all_), ctx_.settings.keys,
                               infos, /*merge=*/!ctx_.restart_region.empty());
  if (s.ok()) wrote_cluster_file_ = true;
  return s;
}

void HaCluster::Check() {
  auto died = [this](const HaRegion& r, const std::string& what, pid_t pid,
                     const os::ExitStatus& es) {
    ctx_.warn(r.name + ": " + what + " (pid " + std::to_string(pid) + ") " + es.ToString() +
              "; the rest keeps running (bring the region back with --restart-region " + r.name +
              ")");
  };
  for (HaRegion* r : ours_) {
    if (r->serve.process && !r->serve.reported_death && !r->serve.Running()) {
      r->serve.reported_death = true;
      died(*r, "landslide serve", r->serve.pid, *r->serve.process->exit_status());
    }
    if (r->patroni && !r->reported_patroni && !r->patroni->Running()) {
      r->reported_patroni = true;
      died(*r, "Patroni", r->patroni_pid, *r->patroni->exit_status());
    }
    if (r->etcd && !r->reported_etcd && !r->etcd->Running()) {
      r->reported_etcd = true;
      died(*r, "etcd", r->etcd_pid, *r->etcd->exit_status());
    }
    if (r->postgres_pid > 0 && !r->reported_postgres && os::IsGone(r->postgres_pid)) {
      const bool managed = r->patroni && r->patroni->Running();
      auto now = LivePostmaster(r->data_dir());
      if (managed && now && *now != r->postgres_pid) {
        // Patroni restarts its PostgreSQL by itself (after a crash, to rewind or to demote it):
        // follow the new postmaster so that cluster.json names the process to kill.
        ctx_.say(r->name + ": Patroni restarted PostgreSQL (pid " +
                 std::to_string(r->postgres_pid) + " -> " + std::to_string(*now) + ")");
        r->postgres_pid = *now;
        if (wrote_cluster_file_) {
          Status s = UpdateClusterFile(ctx_.dir / "cluster.json", "", ctx_.settings.keys,
                                       {r->Info()}, /*merge=*/true);
          if (!s.ok()) ctx_.warn(r->name + ": cannot update cluster.json: " + s.message());
        }
      } else if (!managed) {
        r->reported_postgres = true;
        ctx_.warn(r->name + ": PostgreSQL (pid " + std::to_string(r->postgres_pid) +
                  ") is gone; see " + r->patroni_log().string());
      }
      // Otherwise Patroni is bringing it back: look again at the next check.
    }
  }
}

void HaCluster::StopPatronis() {
  std::vector<HaRegion*> running;
  for (HaRegion* r : ours_) {
    if (r->patroni && r->patroni->Running()) running.push_back(r);
  }
  if (running.empty()) return;
  // Standbys first, the leader last: stopping the leader first would make a standby promote
  // itself only to be stopped a moment later, leaving diverged timelines for the next start.
  std::string leader;
  for (HaRegion* r : running) {
    auto m = GetPatroniCluster(r->host, r->ports.patroni, milliseconds(2000));
    if (!m.ok()) continue;
    if (const PatroniMember* l = FindRunning(*m, "leader")) leader = l->name;
    break;
  }
  for (bool leaders : {false, true}) {
    std::vector<HaRegion*> batch;
    for (HaRegion* r : running) {
      if ((r->name == leader) == leaders) batch.push_back(r);
    }
    for (HaRegion* r : batch) {
      ctx_.say(r->name + ": stopping Patroni and its PostgreSQL (pid " +
               std::to_string(r->patroni_pid) + ")");
      (void)r->patroni->Signal(SIGTERM);
    }
    for (HaRegion* r : batch) r->patroni->Terminate(seconds(60));
  }
}

void HaCluster::Stop() {
  // The serves first: they drain their intake queues into the primary.
  for (HaRegion* r : ours_) {
    if (!r->serve.Running()) continue;
    ctx_.say(r->name + ": stopping landslide serve (pid " + std::to_string(r->serve.pid) + ")");
    (void)r->serve.process->Signal(SIGTERM);
  }
  for (HaRegion* r : ours_) {
    if (r->serve.process) r->serve.process->Terminate(seconds(15));
  }
  StopPatronis();
  // Killing Patroni leaves its PostgreSQL running (it has a session of its own). Stop such a
  // server if nobody manages it now: no Patroni answers on the region's REST port.
  for (HaRegion* r : ours_) {
    if (!r->patroni) continue;
    auto pid = LivePostmaster(r->data_dir());
    if (!pid || PortTaken(*r, r->ports.patroni)) continue;
    ctx_.say(r->name + ": stopping PostgreSQL (pid " + std::to_string(*pid) +
             "), which outlived its Patroni");
    Status s = StopOrphanPostmaster(*pid, r->data_dir(), seconds(30));
    if (!s.ok()) ctx_.warn(r->name + ": " + s.message());
  }
  for (HaRegion* r : ours_) {
    if (r->etcd && r->etcd->Running()) {
      ctx_.say(r->name + ": stopping etcd (pid " + std::to_string(r->etcd_pid) + ")");
      (void)r->etcd->Signal(SIGTERM);
    }
  }
  for (HaRegion* r : ours_) {
    if (r->etcd) r->etcd->Terminate(seconds(10));
  }
  if (made_network_ && RegionNetworkExists(*network_)) {
    ctx_.say("network: removing namespaces " + network_->namespaces[0] + ".." +
             network_->namespaces.back() + " and bridge " + network_->bridge);
    Status s = RemoveRegionNetwork(*network_, ctx_.dir / "logs" / "netns.log");
    if (!s.ok()) ctx_.warn("cannot remove the regions' network: " + s.message());
    made_network_ = false;
  }
}

void HaCluster::RemoveClusterFileIfOurs() {
  std::vector<int> serves;
  for (const HaRegion* r : ours_) {
    if (r->serve.process) serves.push_back(r->serve.pid);
  }
  if (serves.empty()) return;
  const fs::path path = ctx_.dir / "cluster.json";
  if (!ClusterFileIsOurs(path, serves)) return;
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

std::unique_ptr<LocalCluster> MakeHaCluster(UpContext ctx, HaTimings timings) {
  return std::make_unique<HaCluster>(std::move(ctx), timings);
}

}  // namespace landslide::cluster
