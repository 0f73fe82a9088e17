#include "cluster/single_region.h"

#include <csignal>
#include <optional>

#include "cluster/local_postgres.h"
#include "cluster/serve_process.h"
#include "db/pg.h"
#include "db/schema.h"
#include "os/ports.h"
#include "os/process.h"

namespace landslide::cluster {

namespace {

namespace fs = std::filesystem;

class SingleRegion : public LocalCluster {
 public:
  explicit SingleRegion(UpContext ctx) : ctx_(std::move(ctx)) {
    name_ = RegionNames()[0];
    ports_ = PortsFor(ctx_.settings.base_port, 0);
  }

  Status Start() override;
  Status WriteClusterFile() override;
  void Check() override;
  void Stop() override;
  void RemoveClusterFileIfOurs() override;
  std::vector<std::string> RegionNamesStarted() const override { return {name_}; }

 private:
  Status StartServe();

  UpContext ctx_;
  std::string name_;
  RegionPorts ports_{};
  std::unique_ptr<LocalPostgres> postgres_;
  pid_t postgres_pid_ = -1;  // ours, or one we found running and left alone
  bool reported_postgres_ = false;
  ServeHandle serve_;
};

Status SingleRegion::Start() {
  const bool restart = !ctx_.restart_region.empty();
  LocalPostgresOptions o;
  o.dir = ctx_.dir / name_ / "postgres";
  o.port = ports_.postgres;
  o.log_file = ctx_.dir / "logs" / (name_ + "-postgres.log");
  // If `up` itself is killed with SIGKILL, PostgreSQL shuts down rather than lingering.
  o.parent_death_signal = SIGQUIT;
  auto pg = LocalPostgres::Create(o);
  if (!pg.ok()) return pg.status();
  postgres_ = std::move(*pg);

  auto running = LivePostmaster(postgres_->data_dir());
  if (restart && running) {
    // --restart-region brings back what is down and leaves alone what still runs.
    ctx_.say(name_ + ": PostgreSQL is still running (pid " + std::to_string(*running) +
             "); leaving it as it is");
    postgres_pid_ = *running;
  } else {
    if (!os::PortIsFree(o.port)) {
      return Status::Unavailable(name_ + ": port " + std::to_string(o.port) +
                                 " (its PostgreSQL) is already in use; stop whatever holds it "
                                 "or choose another --base-port");
    }
    ctx_.say(name_ + ": starting PostgreSQL on 127.0.0.1:" + std::to_string(o.port) + " (data in " +
             postgres_->data_dir().string() + ", log " + o.log_file.string() + ")");
    LANDSLIDE_RETURN_IF_ERROR(postgres_->Start().Context(name_));
    postgres_pid_ = postgres_->postmaster_pid();
  }
  {
    auto conn = db::PgConnection::Connect(postgres_->conninfo(), std::chrono::seconds(10));
    if (!conn.ok()) return conn.status().Context(name_);
    LANDSLIDE_RETURN_IF_ERROR(db::EnsureSchema(**conn).Context(name_ + ": creating the schema"));
  }
  return StartServe();
}

Status SingleRegion::StartServe() {
  if (!os::PortIsFree(ports_.http)) {
    pid_t old_pid = -1;
    if (!ctx_.restart_region.empty()) {
      auto old = ReadClusterFile(ctx_.dir / "cluster.json");
      for (const auto& ri : old.ok() ? old->regions : std::vector<RegionInfo>{}) {
        if (ri.name == name_ && ri.pids.count("serve")) old_pid = ri.pids.at("serve");
      }
    }
    if (old_pid <= 0 || os::IsGone(old_pid)) {
      return Status::Unavailable(name_ + ": port " + std::to_string(ports_.http) +
                                 " is already in use (a `landslide serve` from an earlier "
                                 "run?); stop whatever holds it or choose another --base-port");
    }
    ctx_.say(name_ + ": landslide serve is still running (pid " + std::to_string(old_pid) +
             "); leaving it as it is");
    serve_.pid = old_pid;
  } else {
    ServeSpec spec;
    spec.binary = ctx_.serve_binary;
    spec.region = name_;
    spec.http_port = ports_.http;
    spec.db = postgres_->conninfo();
    spec.replica = postgres_->conninfo();
    spec.keys = ctx_.settings.keys;
    spec.election = ctx_.settings.election;
    spec.log_file = ctx_.dir / "logs" / (name_ + "-serve.log");
    ctx_.say(name_ + ": starting landslide serve on http://127.0.0.1:" +
             std::to_string(ports_.http) + " (log " + spec.log_file.string() + ")");
    LANDSLIDE_RETURN_IF_ERROR(serve_.Start(spec));
  }
  return serve_.WaitHealthy("127.0.0.1", ports_.http, ctx_.interrupted, ctx_.say, name_,
                            std::chrono::seconds(60));
}

Status SingleRegion::WriteClusterFile() {
  RegionInfo ri;
  ri.name = name_;
  ri.http = "http://127.0.0.1:" + std::to_string(ports_.http);
  ri.replica = postgres_->conninfo();  // one region: its own server is its "standby"
  ri.pids = {{"serve", serve_.pid}, {"postgres", postgres_pid_}};
  return UpdateClusterFile(ctx_.dir / "cluster.json", postgres_->conninfo(), ctx_.settings.keys,
                           {ri}, /*merge=*/!ctx_.restart_region.empty());
}

void SingleRegion::Check() {
  if (serve_.process && !serve_.reported_death && !serve_.Running()) {
    serve_.reported_death = true;
    ctx_.warn(name_ + ": landslide serve (pid " + std::to_string(serve_.pid) + ") " +
              serve_.process->exit_status()->ToString() +
              "; the rest keeps running (bring it back with --restart-region " + name_ + ")");
  }
  if (postgres_ && postgres_->postmaster_pid() > 0 && !reported_postgres_ &&
      !postgres_->Running()) {
    reported_postgres_ = true;
    ctx_.warn(name_ + ": PostgreSQL (pid " + std::to_string(postgres_pid_) +
              ") stopped unexpectedly; see " + postgres_->log_file().string());
  }
}

void SingleRegion::Stop() {
  if (serve_.Running()) {
    ctx_.say(name_ + ": stopping landslide serve (pid " + std::to_string(serve_.pid) + ")");
    serve_.process->Terminate(std::chrono::seconds(15));
  }
  if (postgres_ && postgres_->Running()) {
    ctx_.say(name_ + ": stopping PostgreSQL (pid " + std::to_string(postgres_pid_) + ")");
    Status s = postgres_->Stop(StopMode::kFast);
    if (!s.ok()) ctx_.warn(name_ + ": " + s.message());
  }
}

void SingleRegion::RemoveClusterFileIfOurs() {
  // Processes we merely found running (a serve of another `up`) do not make it ours.
  if (!serve_.process) return;
  const fs::path path = ctx_.dir / "cluster.json";
  if (!ClusterFileIsOurs(path, {serve_.pid})) return;
  std::error_code ec;
  fs::remove(path, ec);
}

}  // namespace

std::unique_ptr<LocalCluster> MakeSingleRegionCluster(UpContext ctx) {
  return std::make_unique<SingleRegion>(std::move(ctx));
}

}  // namespace landslide::cluster
