// `landslide SUBCOMMAND ...` run as a child process: how `demo` and `bench` drive the real
// commands, how `up` starts each region's `serve`, and how the tests run the binary. One place
// knows where the binary is, how to show the command to a person, how to run it to completion,
// and how to wait for a region it started to be healthy or to have loaded the registry.
//
//   os::SubcommandOptions o;
//   o.args = {"voters", "import", "--db", db, "--keys", keys, csv};
//   o.process.log_file = dir / "import.log";
//   say("$ " + os::ShowCommand(o.args));
//   Status s = os::RunSubcommandToSuccess(o, std::chrono::hours(1));
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "os/process.h"

namespace landslide::os {

// The path of the running binary (/proc/self/exe), for spawning its subcommands; "landslide"
// when it cannot be read.
std::string SelfPath();

// The command as a person would type it: "landslide up --dir 'my dir'" for {"up", "--dir",
// "my dir"} (arguments with spaces, quotes, '=' or ';' single-quoted).
std::string ShowCommand(const std::vector<std::string>& args);

struct SubcommandOptions {
  std::string binary;             // empty: SelfPath()
  std::vector<std::string> args;  // after the binary: {"voters", "import", ...}
  // How to run it: output and input files, parent-death signal, grace... (its argv is made from
  // `binary` and `args`).
  ProcessOptions process;
};

ProcessOptions ToProcessOptions(const SubcommandOptions& options);
// Starts the child; the caller owns it.
Result<Process> StartSubcommand(const SubcommandOptions& options);
// Runs the child to completion and returns how it ended; kDeadlineExceeded (and the child
// terminated) if it still runs after `timeout`.
Result<ExitStatus> RunSubcommand(const SubcommandOptions& options,
                                 std::chrono::milliseconds timeout);
// The same, and an error unless it exited with 0: "landslide voters import exited with code 1:
// <the last line of its log>".
Status RunSubcommandToSuccess(const SubcommandOptions& options, std::chrono::milliseconds timeout);

// The last non-empty line written to `log` since `offset` (logs are appended across runs):
// usually the one sentence that says why a child failed. "(nothing)" when there is none.
std::string LastLineSince(const std::filesystem::path& log, std::uintmax_t offset = 0);

// Polls GET /health of the region at `url` ("http://HOST:PORT") until its registry check counts
// at least `voters` (each region reloads the registry from its standby when an import lands).
// kUnavailable after `timeout`, kAborted once `stop` is raised.
Status WaitForRegistry(const std::string& url, int64_t voters, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* stop = nullptr);

}  // namespace landslide::os
