// `landslide up` run as a child process, for callers that need a cluster without being one:
// the tests, and anything else that drives a cluster from outside (`landslide demo` does the
// same by hand). Waits on DIR/cluster.json, which `up` writes once every region is healthy.
//
//   auto up = UpProcess::Start({.binary = "build/landslide", .dir = dir, .regions = 3,
//                               .base_port = *FindFreeBasePort()});
//   auto info = up->WaitForClusterFile(std::chrono::seconds(180));
//   ...
//   up->Stop();  // SIGTERM: `up` stops everything it started
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_file.h"
#include "cluster/process.h"
#include "common/status.h"

namespace landslide::cluster {

struct UpProcessOptions {
  std::string binary;  // the landslide binary
  std::filesystem::path dir;
  int regions = 3;
  int base_port = 7000;
  std::string restart_region;      // set: `up --dir DIR --restart-region NAME`
  std::filesystem::path log_file;  // default DIR/up.log (DIR/up-restart-NAME.log)
  std::vector<std::string> extra_args;
  std::optional<int> parent_death_signal;  // see ProcessOptions
};

class UpProcess {
 public:
  static Result<UpProcess> Start(UpProcessOptions options);

  // Polls DIR/cluster.json until it exists and `ready` (default: always) accepts it. Fails when
  // `up` exits first (with the end of its log) or after `timeout`.
  Result<ClusterInfo> WaitForClusterFile(
      std::chrono::milliseconds timeout,
      const std::function<bool(const ClusterInfo&)>& ready = nullptr);
  // SIGTERM, then waits up to `grace` for `up` to stop everything; SIGKILL after that.
  ExitStatus Stop(std::chrono::milliseconds grace = std::chrono::seconds(120));
  bool Running() { return process_.Running(); }
  Process& process() { return process_; }
  const std::filesystem::path& log_file() const { return options_.log_file; }
  std::string LogTail(size_t bytes = 3000) const { return TailOfFile(options_.log_file, bytes); }

 private:
  UpProcess(UpProcessOptions options, Process process)
      : options_(std::move(options)), process_(std::move(process)) {}
  UpProcessOptions options_;
  Process process_;
};

// A --base-port P for which P .. P+49 are all free on 127.0.0.1 right now.
Result<int> FindFreeBasePort();

}  // namespace landslide::cluster
