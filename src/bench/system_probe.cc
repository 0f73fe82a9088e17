#include "bench/system_probe.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "os/process.h"

namespace landslide::bench {

namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Runs a short command and returns its first line of output; nullopt if it fails.
std::optional<std::string> FirstLineOf(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(command.c_str(), "r"), pclose);
  if (!p) return std::nullopt;
  char buf[256];
  std::string out;
  if (std::fgets(buf, sizeof buf, p.get())) out = buf;
  while (std::fgets(buf, sizeof buf, p.get())) {
  }
  if (pclose(p.release()) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

void AddTree(pid_t pid, int depth, int64_t& pss_sum, double& cpu_sum) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const int64_t pss = ParseKbField(ReadText(proc + "/smaps_rollup"), "Pss");
  if (pss > 0) pss_sum += pss;
  // The root's exited children (short-lived backends, autovacuum workers) count too.
  const double cpu = ParseCpuSeconds(ReadText(proc + "/stat"), sysconf(_SC_CLK_TCK), depth == 0);
  if (cpu > 0) cpu_sum += cpu;
  if (depth > 4) return;  // postmaster -> backends is one level; patroni -> postgres two
  for (pid_t child : os::ChildrenOf(pid)) AddTree(child, depth + 1, pss_sum, cpu_sum);
}

}  // namespace

std::string ParseCpuModel(std::string_view cpuinfo) {
  size_t pos = 0;
  while (pos < cpuinfo.size()) {
    size_t end = cpuinfo.find('\n', pos);
    if (end == std::string_view::npos) end = cpuinfo.size();
    std::string_view line = cpuinfo.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (Trim(line.substr(0, colon)) == "model name")
      return std::string(Trim(line.substr(colon + 1)));
  }
  return "";
}

int64_t ParseKbField(std::string_view text, std::string_view field) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > field.size() && line.substr(0, field.size()) == field &&
        line[field.size()] == ':') {
      std::string value(Trim(line.substr(field.size() + 1)));
      char* rest = nullptr;
      const long long kb = std::strtoll(value.c_str(), &rest, 10);
      if (rest == value.c_str()) return -1;
      return static_cast<int64_t>(kb) * 1024;
    }
  }
  return -1;
}

std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view loadavg) {
  std::array<double, 3> out{};
  std::string text(loadavg);
  if (std::sscanf(text.c_str(), "%lf %lf %lf", &out[0], &out[1], &out[2]) != 3) return std::nullopt;
  return out;
}

double ParseCpuSeconds(std::string_view stat, long ticks_per_second, bool with_children) {
  // "PID (comm) S ppid ...": comm may hold spaces and parentheses, so start after the last ')'.
  const size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos || ticks_per_second <= 0) return -1;
  std::istringstream fields{std::string(stat.substr(paren + 1))};
  std::vector<std::string> f;
  for (std::string x; fields >> x && f.size() < 15;) f.push_back(x);
  // From the state (field 3 of proc(5)): utime, stime, cutime, cstime are 11..14 after it.
  if (f.size() < 15) return -1;
  double ticks = std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr);
  if (with_children) {
    ticks += std::strtod(f[13].c_str(), nullptr) + std::strtod(f[14].c_str(), nullptr);
  }
  return ticks / static_cast<double>(ticks_per_second);
}

MachineInfo CollectMachineInfo() {
  MachineInfo m;
  m.nproc = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  m.cpu_model = ParseCpuModel(ReadText("/proc/cpuinfo"));
  m.memory_bytes = ParseKbField(ReadText("/proc/meminfo"), "MemTotal");
  utsname u{};
  if (uname(&u) == 0) {
    m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    m.hostname = u.nodename;
  }
  return m;
}

std::array<double, 3> LoadAverage() {
  auto l = ParseLoadAverage(ReadText("/proc/loadavg"));
  return l ? *l : std::array<double, 3>{-1, -1, -1};
}

ProcessUsage ReadProcessUsage(pid_t pid, bool with_tree) {
  ProcessUsage m;
  m.pid = pid;
  const std::string status = ReadText("/proc/" + std::to_string(pid) + "/status");
  if (status.empty()) return m;
  m.rss_bytes = ParseKbField(status, "VmRSS");
  m.hwm_bytes = ParseKbField(status, "VmHWM");
  int64_t pss = 0;
  double cpu = 0;
  if (with_tree) {
    AddTree(pid, 0, pss, cpu);
  } else {
    pss = ParseKbField(ReadText("/proc/" + std::to_string(pid) + "/smaps_rollup"), "Pss");
    cpu = ParseCpuSeconds(ReadText("/proc/" + std::to_string(pid) + "/stat"), sysconf(_SC_CLK_TCK),
                          false);
  }
  m.pss_bytes = pss > 0 ? pss : -1;
  m.cpu_seconds = cpu >= 0 ? cpu : -1;
  return m;
}

int64_t DirectoryBytes(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return -1;
  int64_t total = 0;
  auto it =
      fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return -1;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;  // a file removed while we walk (WAL recycling): count what we saw
    struct stat st {};
    if (lstat(it->path().c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      total += static_cast<int64_t>(st.st_blocks) * 512;
    }
  }
  return total;
}

GitInfo ReadGitInfo() {
  // __FILE__ is the absolute path CMake compiled this file from: src/bench/ inside the tree.
  const fs::path source_root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  GitInfo g;
  std::error_code ec;
  if (!fs::exists(source_root / ".git", ec)) return g;
  const std::string git = "git -c safe.directory='*' -C '" + source_root.string() + "' ";
  g.commit = FirstLineOf(git + "rev-parse HEAD 2>/dev/null");
  if (g.commit && g.commit->empty()) g.commit.reset();
  auto dirty = FirstLineOf(git + "status --porcelain --untracked-files=no 2>/dev/null | head -1");
  g.dirty = dirty && !dirty->empty();
  return g;
}

}  // namespace landslide::bench
