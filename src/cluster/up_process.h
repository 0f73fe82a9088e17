// `landslide up` run as a child process, for callers that need a cluster without being one:
// `landslide demo`, `landslide bench` and the tests. Waits on DIR/cluster.json, which `up` writes
// once every region is healthy.
//
//   auto up = UpProcess::Start({.binary = "build/landslide", .dir = dir, .regions = 3,
//                               .base_port = *os::FindFreeBasePort()});
//   auto info = up->WaitForClusterFile(std::chrono::seconds(180));
//   ...
//   up->Stop();  // SIGTERM: `up` stops everything it started
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_file.h"
#include "common/status.h"
#include "os/process.h"

namespace landslide::cluster {

struct UpProcessOptions {
  std::string binary;  // the landslide binary; empty: this very binary
  std::filesystem::path dir;
  int regions = 3;
  int base_port = 7000;
  std::string restart_region;      // set: `up --dir DIR --restart-region NAME`
  std::filesystem::path log_file;  // default DIR/up.log (DIR/up-restart-NAME.log)
  std::vector<std::string> extra_args;
  std::optional<int> parent_death_signal;  // see os::ProcessOptions
  // How long the destructor (and Stop's default) waits after SIGTERM: `up` stops three serves,
  // three Patroni members and etcd in turn.
  std::chrono::milliseconds stop_grace{std::chrono::seconds(120)};
};

class UpProcess {
 public:
  static Result<UpProcess> Start(UpProcessOptions options);

  // Polls DIR/cluster.json until it exists and `ready` (default: always) accepts it. Fails when
  // `up` exits first (with the end of its log), after `timeout`, or once `stop` is raised.
  Result<ClusterInfo> WaitForClusterFile(
      std::chrono::milliseconds timeout,
      const std::function<bool(const ClusterInfo&)>& ready = nullptr,
      const std::atomic<bool>* stop = nullptr);
  // SIGTERM, then waits up to `grace` (default: the options' stop_grace) for `up` to stop
  // everything; SIGKILL after that.
  os::ExitStatus Stop(std::optional<std::chrono::milliseconds> grace = std::nullopt);
  bool Running() { return process_.Running(); }
  os::Process& process() { return process_; }
  // The command as a person would type it ("landslide up --regions 3 ...").
  const std::string& command() const { return command_; }
  const std::filesystem::path& log_file() const { return options_.log_file; }
  std::string LogTail(size_t bytes = 3000) const {
    return os::TailOfFile(options_.log_file, bytes);
  }

 private:
  UpProcess(UpProcessOptions options, std::string command, os::Process process)
      : options_(std::move(options)), command_(std::move(command)), process_(std::move(process)) {}
  UpProcessOptions options_;
  std::string command_;
  os::Process process_;
};

}  // namespace landslide::cluster
