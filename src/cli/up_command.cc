// `landslide up`: brings up a local cluster on loopback (one region, or three with etcd and
// Patroni), writes DIR/cluster.json once every region answers GET /health with 200, and stays in
// the foreground until SIGINT or SIGTERM, then stops what it started. `--restart-region NAME`
// brings one region of a running cluster back after its processes were killed.
//
// The clusters themselves live in src/cluster/ (LocalCluster); this file parses flags, prepares
// DIR (keys, up.json) and prints.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cluster/cluster_file.h"
#include "cluster/local_cluster.h"
#include "cluster/region_network.h"
#include "cluster/serve_process.h"
#include "crypto/keys.h"
#include "os/files.h"
#include "os/stop_signals.h"
#include "os/subcommand.h"

namespace landslide::cli {

namespace {

namespace fs = std::filesystem;

struct UpFlags {
  int regions = 3;
  std::string dir;
  int base_port = 7000;
  std::string election;
  std::string keys;
  std::string restart_region;
  std::string serve_binary;
  bool netns = false;
};

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void Warn(const std::string& line) {
  std::fprintf(stderr, "landslide: %s\n", line.c_str());
  std::fflush(stderr);
}

Result<cluster::UpSettings> ResolveSettings(const UpFlags& f, bool regions_given,
                                            const fs::path& dir) {
  cluster::UpSettings s;
  if (!f.restart_region.empty()) {
    auto text = os::ReadWholeFile(dir / "up.json");
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
    s.netns = f.netns;
    if (!f.election.empty()) s.election = fs::absolute(f.election).string();
  }
  return s;
}

// DIR and DIR/logs exist and the servers' unprivileged user can pass through them; the keys
// exist; a fresh `up` records its settings and drops a stale cluster.json.
Status PrepareDir(const fs::path& dir, const cluster::UpSettings& settings, bool restart) {
  std::error_code ec;
  for (const fs::path& d : {dir, dir / "logs"}) {
    fs::create_directories(d, ec);
    if (ec) return Status::Internal("cannot create " + d.string() + ": " + ec.message());
    fs::permissions(d,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
  }
  if (!fs::exists(fs::path(settings.keys) / "election.pub")) {
    auto created = CreateKeys(settings.keys);
    if (!created.ok()) return created.status();
    Say("created the election's keys in " + settings.keys);
  } else if (auto loaded = LoadKeys(settings.keys, SecretKeys::kNone); !loaded.ok()) {
    return loaded.status();
  }
  if (restart) return Status::Ok();
  LANDSLIDE_RETURN_IF_ERROR(
      os::WriteFileAtomically(dir / "up.json", cluster::UpSettingsToJson(settings)));
  // A cluster.json from an earlier run would tell scripts we are up before we are.
  fs::remove(dir / "cluster.json", ec);
  return Status::Ok();
}

int RunUp(const UpFlags& flags, bool regions_given) {
  if (flags.regions != 1 && flags.regions != 3) return Fail(2, "--regions must be 1 or 3");
  if (flags.base_port < 1024 || flags.base_port > 65535 - 50) {
    return Fail(2, "--base-port must be between 1024 and 65485");
  }
  if (flags.netns && flags.regions != 3) return Fail(2, "--netns needs --regions 3");
  const fs::path dir = fs::absolute(flags.dir).lexically_normal();
  auto settings = ResolveSettings(flags, regions_given, dir);
  if (!settings.ok()) {
    return Fail(settings.status().code() == Code::kInvalidArgument ? 2 : 1,
                settings.status().message());
  }
  const bool restart = !flags.restart_region.empty();
  const auto& all_names = cluster::RegionNames();
  if (restart && std::find(all_names.begin(), all_names.begin() + settings->regions,
                           flags.restart_region) == all_names.begin() + settings->regions) {
    return Fail(2, "there is no region " + flags.restart_region + " in this cluster");
  }
  if (!flags.election.empty() && !fs::exists(settings->election)) {
    return Fail(2, "election file " + settings->election + " does not exist");
  }
  if (Status s = PrepareDir(dir, *settings, restart); !s.ok()) return Fail(1, s.message());

  os::StopSignals signals({.wake_on_child = true, .ignore_sigpipe = false});
  cluster::UpContext ctx;
  ctx.dir = dir;
  ctx.settings = *settings;
  ctx.serve_binary =
      flags.serve_binary.empty() ? os::SelfPath() : fs::absolute(flags.serve_binary).string();
  ctx.restart_region = flags.restart_region;
  ctx.say = Say;
  ctx.warn = Warn;
  ctx.interrupted = [&signals] { return signals.Interrupted(); };
  auto made = cluster::MakeLocalCluster(ctx);
  if (!made.ok()) return Fail(1, made.status().message());
  cluster::LocalCluster& up = **made;

  const auto started = std::chrono::steady_clock::now();
  Status s = up.Start();
  if (s.ok()) s = up.WriteClusterFile();
  if (!s.ok()) {
    up.Stop();
    return Fail(1, s.message());
  }
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", took);
  Say(std::string(restart ? "region " + flags.restart_region + " is back" : "cluster is up") +
      " in " + secs + " s: " + (dir / "cluster.json").string());
  for (const std::string& name : up.RegionNamesStarted()) {
    const int i =
        static_cast<int>(std::find(all_names.begin(), all_names.end(), name) - all_names.begin());
    const std::string host =
        settings->netns ? cluster::PlanRegionNetwork(settings->base_port, 3).addresses.at(i)
                        : std::string("127.0.0.1");
    std::string site = "http://";
    site.append(host).append(":").append(
        std::to_string(cluster::PortsFor(settings->base_port, i).http));
    std::string line = "  ";
    line.append(name).append(": voter site ").append(site).append("/  results ").append(site);
    Say(line.append("/results"));
  }
  Say("press Ctrl-C (or send SIGTERM) to stop everything");

  while (!signals.StopRequested(std::chrono::seconds(1))) up.Check();
  Say(std::string("received ") + (signals.stop_signal() == SIGINT ? "SIGINT" : "SIGTERM") +
      "; stopping");
  up.Stop();
  up.RemoveClusterFileIfOurs();
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
                                "Number of regions, 1 or 3 (default 3: etcd, Patroni and "
                                "PostgreSQL in each, one primary and two standbys)");
  c->add_option("--dir", f->dir, "Directory for all state and logs (created if missing)")
      ->required();
  c->add_option("--base-port", f->base_port,
                "First port: region i's site listens on P+i, its PostgreSQL on P+10+i, its "
                "Patroni REST API on P+20+i, its etcd on P+30+i (clients) and P+40+i (peers) "
                "(default 7000)");
  c->add_option("--election", f->election, "Election definition file passed to each serve");
  c->add_option("--keys", f->keys,
                "Keys directory (default DIR/keys; created with fresh keys if missing)");
  c->add_option("--restart-region", f->restart_region,
                "Bring region NAME of the cluster in DIR back after its processes were killed: "
                "starts whatever of it is down (reusing its data and the settings the cluster "
                "was started with; with 3 regions its etcd member rejoins and Patroni rejoins "
                "as a standby, rewinding a former primary), updates cluster.json, and stays in "
                "the foreground like up");
  c->add_flag("--netns", f->netns,
              "Run each region in a network namespace of its own (ls<P>-0..2, where P is the "
              "base port), joined by a bridge ls<P>br holding 10.A.B.254/24 (A.B: P as two "
              "bytes); region i listens on 10.A.B.(i+1) and cluster.json lists those addresses. "
              "Routes inside a namespace can then cut one region off from the others while the "
              "host still reaches it. Needs root, iproute2 and --regions 3; the namespaces and "
              "the bridge are removed when up stops");
  c->add_option("--serve-binary", f->serve_binary,
                "Program to run as `PROGRAM serve ...` for each region (default: this binary)");
  c->footer(
      "Writes DIR/cluster.json once every region answers GET /health with 200 (see "
      "docs/API.md), and removes it on a clean stop.\nLogs: DIR/logs/<region>-serve.log, and "
      "DIR/logs/<region>-postgres.log (1 region) or <region>-etcd.log and <region>-patroni.log "
      "(3 regions; Patroni's log holds its PostgreSQL's too).\nTo simulate losing a region, kill "
      "the pids listed in cluster.json; `landslide up --dir DIR --restart-region NAME` brings "
      "it back.");
  c->callback([&ctx, f, regions] { ctx.exit_code = RunUp(*f, regions->count() > 0); });
}

}  // namespace landslide::cli
