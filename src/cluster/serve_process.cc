#include "cluster/serve_process.h"

#include <csignal>

#include "os/http_client.h"
#include "os/subcommand.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

Status ServeHandle::Start(const ServeSpec& spec) {
  os::SubcommandOptions so;
  so.binary = spec.binary;
  so.args = {"serve",
             "--region",
             spec.region,
             "--http",
             spec.http_host + ":" + std::to_string(spec.http_port),
             "--db",
             spec.db,
             "--replica",
             spec.replica,
             "--keys",
             spec.keys};
  if (!spec.election.empty()) {
    so.args.push_back("--election");
    so.args.push_back(spec.election);
  }
  for (const auto& [name, url] : spec.peers) {
    so.args.push_back("--peer");
    so.args.push_back(std::string(name).append("=").append(url));
  }
  so.process.log_file = spec.log_file;
  so.process.parent_death_signal = SIGTERM;
  so.process.netns = spec.netns;
  so.process.stop_grace = std::chrono::seconds(15);
  log_file = spec.log_file;
  std::error_code ec;
  log_offset = fs::exists(log_file) ? fs::file_size(log_file, ec) : 0;
  auto p = os::StartSubcommand(so);
  if (!p.ok()) return p.status().Context(spec.region);
  process = std::move(*p);
  pid = process->pid();
  reported_death = false;
  return Status::Ok();
}

Status ServeHandle::WaitHealthy(const std::string& host, int port,
                                const std::function<bool()>& interrupted,
                                const std::function<void(const std::string&)>& say,
                                const std::string& region, std::chrono::seconds timeout) {
  os::HealthWait wait;
  wait.host = host;
  wait.port = port;
  wait.timeout = timeout;
  wait.keep_going = [this, &interrupted]() -> Status {
    if (interrupted && interrupted()) return Status::Unavailable("interrupted during start-up");
    if (process && !process->Running()) {
      return Status::Unavailable(
          "landslide serve " + process->exit_status()->ToString() +
          " during start-up; its last words: " + os::LastLineSince(log_file, log_offset));
    }
    return Status::Ok();
  };
  wait.progress = [&say, &region](std::chrono::seconds waited, const std::string& last) {
    say(region + ": waiting for GET /health to answer 200 (" + std::to_string(waited.count()) +
        " s so far; last: " + last + ")");
  };
  LANDSLIDE_RETURN_IF_ERROR(os::WaitForHttpOk(wait).Context(region));
  say(region + ": healthy");
  return Status::Ok();
}

}  // namespace landslide::cluster
