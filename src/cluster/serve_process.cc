#include "cluster/serve_process.h"

#include <algorithm>
#include <csignal>
#include <fstream>

#include "cluster/http_probe.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

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

std::string ServeBinary(const std::string& configured) {
  if (!configured.empty()) return fs::absolute(configured).string();
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("landslide") : self.string();
}

Status ServeHandle::Start(const ServeSpec& spec) {
  ProcessOptions so;
  so.argv = {spec.binary,  "serve",  "--region",
             spec.region,  "--http", spec.http_host + ":" + std::to_string(spec.http_port),
             "--db",       spec.db,  "--replica",
             spec.replica, "--keys", spec.keys};
  if (!spec.election.empty()) {
    so.argv.push_back("--election");
    so.argv.push_back(spec.election);
  }
  for (const auto& [name, url] : spec.peers) {
    so.argv.push_back("--peer");
    so.argv.push_back(name + "=" + url);
  }
  so.log_file = spec.log_file;
  so.parent_death_signal = SIGTERM;
  so.netns = spec.netns;
  so.stop_grace = std::chrono::seconds(15);
  log_file = spec.log_file;
  std::error_code ec;
  log_offset = fs::exists(log_file) ? fs::file_size(log_file, ec) : 0;
  auto p = Process::Spawn(so);
  if (!p.ok()) return p.status().Context(spec.region + ": starting landslide serve");
  process = std::move(*p);
  pid = process->pid();
  reported_death = false;
  return Status::Ok();
}

Status ServeHandle::WaitHealthy(const std::string& host, int port,
                                const std::function<bool()>& interrupted,
                                const std::function<void(const std::string&)>& say,
                                const std::string& region, std::chrono::seconds timeout) {
  HealthWait wait;
  wait.host = host;
  wait.port = port;
  wait.timeout = timeout;
  wait.keep_going = [this, &interrupted]() -> Status {
    if (interrupted && interrupted()) return Status::Unavailable("interrupted during start-up");
    if (process && !process->Running()) {
      return Status::Unavailable(
          "landslide serve " + process->exit_status()->ToString() +
          " during start-up; its last words: " + LastLineSince(log_file, log_offset));
    }
    return Status::Ok();
  };
  wait.progress = [&say, &region](std::chrono::seconds waited, const std::string& last) {
    say(region + ": waiting for GET /health to answer 200 (" + std::to_string(waited.count()) +
        " s so far; last: " + last + ")");
  };
  LANDSLIDE_RETURN_IF_ERROR(WaitForHttpOk(wait).Context(region));
  say(region + ": healthy");
  return Status::Ok();
}

}  // namespace landslide::cluster
