// One region's `landslide serve`, as `landslide up` runs it: started with the region's
// databases, its output appended to DIR/logs/<region>-serve.log, and watched until GET /health
// answers 200.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "os/process.h"

namespace landslide::cluster {

struct ServeSpec {
  std::string binary;  // run as `binary serve ...`; empty: this very binary
  std::string region;
  std::string http_host = "127.0.0.1";
  int http_port = 0;
  std::string db;       // conninfo reaching the primary
  std::string replica;  // conninfo of the region's own standby
  std::string keys;
  std::string election;  // empty: the default election
  // Every region (name, base URL) for `--peer`: what GET /regions lists.
  std::vector<std::pair<std::string, std::string>> peers;
  std::filesystem::path log_file;
  std::filesystem::path netns;  // see os::ProcessOptions
};

// The serve of one region: the child we started, or the pid of one another `up` left running.
struct ServeHandle {
  std::optional<os::Process> process;
  pid_t pid = -1;
  std::filesystem::path log_file;
  std::uintmax_t log_offset = 0;  // where this run's output starts in the (appended) log
  bool reported_death = false;

  // Starts `binary serve ...` with SIGTERM as its parent-death signal.
  Status Start(const ServeSpec& spec);
  // Polls GET /health on host:port until 200. Ends early when the serve we started exits
  // (with its last log line) or `interrupted` says so.
  Status WaitHealthy(const std::string& host, int port, const std::function<bool()>& interrupted,
                     const std::function<void(const std::string&)>& say, const std::string& region,
                     std::chrono::seconds timeout);
  bool Running() { return process && process->Running(); }
};

}  // namespace landslide::cluster
