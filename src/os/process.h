// A child process owned by a C++ object: spawned with fork/execve (posix_spawn cannot change the
// user, and PostgreSQL refuses to run as root), reaped by its owner, and terminated when the
// owner goes away so that no test or `landslide up` run leaves servers behind.
// (LookUpUser and UserIds, which Spawn uses to change the user, are in os/users.h.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "os/users.h"

namespace landslide::os {

struct ProcessOptions {
  // argv[0] is the program: a path, or a name looked up in PATH.
  std::vector<std::string> argv;
  // Added to (or replacing entries of) this process's environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Working directory of the child; empty inherits ours.
  std::filesystem::path cwd;
  // stdout and stderr are appended to this file (created 0640 if missing, owned by `user`);
  // empty inherits ours.
  std::filesystem::path log_file;
  // stderr goes here instead of `log_file` (same rules) when set.
  std::filesystem::path stderr_file;
  // stdin is read from this file; empty: /dev/null.
  std::filesystem::path stdin_file;
  // Run as this user (setgid, supplementary groups, setuid) when we are root; ignored otherwise.
  // HOME, USER and LOGNAME are set to that user's unless `env` says otherwise.
  std::string user;
  // A new process group whose id is the child's pid, so that SignalGroup (and the destructor's
  // SIGKILL) reach everything it forked, e.g. a postmaster's backends.
  bool new_process_group = true;
  // Delivered to the child when the *thread* that spawned it exits (Linux PR_SET_PDEATHSIG), so a
  // supervisor killed with SIGKILL leaves no orphans. Only set it when spawning from a thread that
  // lives as long as the child should (the main thread).
  std::optional<int> parent_death_signal;
  // How long the destructor waits after SIGTERM before SIGKILL.
  std::chrono::milliseconds stop_grace{10000};
  // Run in this network namespace (a file such as /run/netns/NAME, as `ip netns add` makes it):
  // the child joins it (setns) before dropping privileges and then execs the program itself, so
  // pid() is the program's pid and killing it kills the program (`ip netns exec` would do the
  // same, but it needs the privileges that `user` drops). Empty: our own namespace.
  std::filesystem::path netns;
};

// How a child ended.
struct ExitStatus {
  int code = -1;   // exit code, or -1 when killed by a signal
  int signal = 0;  // the signal that killed it, or 0
  bool success() const { return code == 0; }
  // "exited with code 3", "killed by signal 9 (Killed)".
  std::string ToString() const;
};

class Process {
 public:
  // Starts the child. Fails (with nothing left running) if the program cannot be found or
  // executed, the log file cannot be opened, or the user does not exist.
  static Result<Process> Spawn(const ProcessOptions& options);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  // Terminates the child if it still runs: SIGTERM, then SIGKILL to its group after stop_grace.
  ~Process();

  pid_t pid() const { return pid_; }
  // Sends `sig` to the child only. A child that has already been reaped is not signalled (its pid
  // may belong to someone else by now); that is not an error.
  Status Signal(int sig);
  // Sends `sig` to the child's process group (or the child only, without a group of its own).
  Status SignalGroup(int sig);
  // Waits up to `timeout` for the child to end and reaps it. kUnavailable if it still runs.
  Result<ExitStatus> Wait(std::chrono::milliseconds timeout);
  // True until the child has ended (reaps it if it has).
  bool Running();
  // The exit status once reaped.
  const std::optional<ExitStatus>& exit_status() const { return exit_; }
  // SIGTERM (or `sig`), wait `grace`, then SIGKILL the group; returns how it ended.
  ExitStatus Terminate(std::chrono::milliseconds grace, int sig = 15 /* SIGTERM */);

 private:
  Process(pid_t pid, bool own_group, std::chrono::milliseconds grace)
      : pid_(pid), own_group_(own_group), stop_grace_(grace) {}
  bool TryReap();  // true once reaped

  pid_t pid_ = -1;
  bool own_group_ = false;
  std::chrono::milliseconds stop_grace_{10000};
  std::optional<ExitStatus> exit_;
};

// Finds `name` the way execvp would (a path, or a name looked up in PATH); kNotFound when there
// is no such executable. Spawn uses it in the parent, where it may allocate.
Result<std::string> ResolveProgram(const std::string& name);

// The pids whose parent is `parent` (from /proc), e.g. a postmaster's backends, which put
// themselves in process groups of their own and so are not reached through the postmaster's.
std::vector<pid_t> ChildrenOf(pid_t parent);
// True if `pid` no longer runs: it does not exist, or it is a zombie waiting to be reaped.
bool IsGone(pid_t pid);

// The last `max_bytes` of a log file, trimmed to whole lines: for error messages that say why a
// child failed. Empty if the file cannot be read.
std::string TailOfFile(const std::filesystem::path& path, size_t max_bytes = 2000);

}  // namespace landslide::os
