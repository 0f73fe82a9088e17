// What the bench reads about the machine and its processes, from /proc and the file system:
// CPU model, memory, load average, a process's resident and proportional memory, bytes on disk
// under a directory, and the git commit of the source tree. Parsers take text so they are
// tested without a /proc.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "bench/bench_report.h"

namespace landslide::bench {

// "AMD EPYC 7B13" from /proc/cpuinfo's first "model name" line; empty if none.
std::string ParseCpuModel(std::string_view cpuinfo);
// A "Field:   123 kB" line of /proc/meminfo or /proc/PID/status, in bytes; -1 if absent.
int64_t ParseKbField(std::string_view text, std::string_view field);
// The three load averages of /proc/loadavg; nullopt if malformed.
std::optional<std::array<double, 3>> ParseLoadAverage(std::string_view loadavg);

// User + system CPU seconds from the text of /proc/PID/stat (utime + stime, and cutime + cstime
// of waited-for children when `with_children`); -1 if malformed.
double ParseCpuSeconds(std::string_view stat, long ticks_per_second, bool with_children);

MachineInfo CollectMachineInfo();
// The load averages now; {-1, -1, -1} if /proc/loadavg cannot be read.
std::array<double, 3> LoadAverage();

// RSS and peak RSS of `pid`, and its PSS and CPU time (summed over its descendants too when
// `with_tree`, as for a postmaster and its backends, whose shared buffers PSS divides fairly).
ProcessUsage ReadProcessUsage(pid_t pid, bool with_tree);

// Bytes allocated on disk under `dir` (st_blocks, as du counts), or -1 if it cannot be read.
int64_t DirectoryBytes(const std::filesystem::path& dir);

struct GitInfo {
  std::optional<std::string> commit;
  bool dirty = false;
};
// The commit of the source tree this binary was built from, if it is still a git checkout.
GitInfo ReadGitInfo();

}  // namespace landslide::bench
