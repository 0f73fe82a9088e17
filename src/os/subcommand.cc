#include "os/subcommand.h"

#include <algorithm>
#include <fstream>
#include <thread>

#include "common/time.h"
#include "os/endpoint.h"
#include "os/http_client.h"

namespace landslide::os {

namespace fs = std::filesystem;

std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("landslide") : self.string();
}

std::string ShowCommand(const std::vector<std::string>& args) {
  std::string out = "landslide";
  for (const auto& a : args) {
    const bool plain = !a.empty() && a.find_first_of(" \"'=;") == std::string::npos;
    out += " " + (plain ? a : "'" + a + "'");
  }
  return out;
}

ProcessOptions ToProcessOptions(const SubcommandOptions& o) {
  ProcessOptions po = o.process;
  po.argv = {o.binary.empty() ? SelfPath() : o.binary};
  po.argv.insert(po.argv.end(), o.args.begin(), o.args.end());
  return po;
}

Result<Process> StartSubcommand(const SubcommandOptions& options) {
  auto p = Process::Spawn(ToProcessOptions(options));
  if (!p.ok()) return p.status().Context("starting " + ShowCommand(options.args));
  return p;
}

Result<ExitStatus> RunSubcommand(const SubcommandOptions& options,
                                 std::chrono::milliseconds timeout) {
  auto p = StartSubcommand(options);
  if (!p.ok()) return p.status();
  auto exit = p->Wait(timeout);
  if (!exit.ok()) {
    p->Terminate(std::chrono::seconds(1));
    return Status::DeadlineExceeded(ShowCommand(options.args) + " did not finish in " +
                                    std::to_string(timeout.count() / 1000) + " s");
  }
  return exit;
}

Status RunSubcommandToSuccess(const SubcommandOptions& options, std::chrono::milliseconds timeout) {
  auto exit = RunSubcommand(options, timeout);
  if (!exit.ok()) return exit.status();
  if (exit->success()) return Status::Ok();
  // Name the command by its first words ("landslide voters import"), not all its flags.
  std::vector<std::string> words;
  for (const auto& a : options.args) {
    if (a.empty() || a[0] == '-' || words.size() == 2) break;
    words.push_back(a);
  }
  std::string why = ShowCommand(words) + " " + exit->ToString();
  if (!options.process.log_file.empty()) why += ": " + LastLineSince(options.process.log_file);
  return Status::Internal(why);
}

std::string LastLineSince(const fs::path& log, std::uintmax_t offset) {
  std::ifstream in(log, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start =
      std::max<std::streamoff>(static_cast<std::streamoff>(offset), size - 2000);
  if (!in || size <= start) return "(nothing)";
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const size_t nl = text.rfind('\n');
  std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
  return line.empty() ? "(nothing)" : line;
}

Status WaitForRegistry(const std::string& url, int64_t voters, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* stop) {
  auto hp = HostPortOfUrl(url);
  if (!hp) return Status::InvalidArgument("bad region URL " + url);
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    auto r = HttpGet(hp->first, hp->second, "/health", std::chrono::seconds(5));
    if (r.ok()) {
      const auto& j = r->json;
      if (j.is_object() && j.contains("checks") && j["checks"].is_object() &&
          j["checks"].contains("registry") && j["checks"]["registry"].is_object() &&
          j["checks"]["registry"].value("voters", int64_t{0}) >= voters) {
        return Status::Ok();
      }
    }
    if (stop && stop->load()) return Status::Aborted("interrupted");
    if (SteadyClock::now() > deadline) {
      return Status::Unavailable(url + " did not load the registry within " +
                                 std::to_string(timeout.count() / 1000) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace landslide::os
