#include "os/process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "os/unique_fd.h"

extern char** environ;

namespace landslide::os {

namespace {

std::string Errno(int err) { return std::strerror(err); }

// The steps the child takes between fork and execve, in order; the one that fails is reported
// to the parent through the pipe.
enum SpawnStep : int {
  kResetSignals,
  kNewProcessGroup,
  kRedirect,
  kSetGroups,
  kSetGid,
  kSetUid,
  kParentDeathSignal,
  kChdir,
  kExec,
  kJoinNetns,
  kStepCount,
};
constexpr const char* kStepNames[kStepCount] = {"reset signals",
                                                "setpgid",
                                                "redirect output",
                                                "setgroups",
                                                "setgid",
                                                "setuid",
                                                "set parent-death signal",
                                                "chdir",
                                                "execve",
                                                "join network namespace"};

// What the child reports through the pipe when a step before execve fails.
struct ChildError {
  int step;
  int err;
};

// Only async-signal-safe calls from here to execve: another thread of the parent may have held
// the malloc lock when we forked.
[[noreturn]] void ChildFail(int fd, SpawnStep step) {
  ChildError e{step, errno};
  ssize_t n = write(fd, &e, sizeof e);
  (void)n;
  _exit(127);
}

}  // namespace

Result<std::string> ResolveProgram(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("empty program name");
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) != 0) {
      return Status::NotFound("cannot execute " + name + ": " + Errno(errno));
    }
    return name;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return Status::NotFound(name + " was not found in PATH");
}

std::string ExitStatus::ToString() const {
  if (signal != 0) {
    const char* abbrev = sigabbrev_np(signal);
    return "killed by signal " + std::to_string(signal) +
           (abbrev ? " (SIG" + std::string(abbrev) + ")" : "");
  }
  if (code < 0) return "ended (status unknown)";
  return "exited with code " + std::to_string(code);
}

Result<Process> Process::Spawn(const ProcessOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("no program to run");
  auto program = ResolveProgram(options.argv[0]);
  if (!program.ok()) return program.status();

  // Everything the child needs is prepared here, before fork.
  std::vector<const char*> argv;
  for (const auto& a : options.argv) argv.push_back(a.c_str());
  argv.push_back(nullptr);

  std::optional<UserIds> ids;
  if (!options.user.empty() && geteuid() == 0) {
    auto u = LookUpUser(options.user);
    if (!u.ok()) return u.status();
    ids = std::move(*u);
  }

  std::vector<std::pair<std::string, std::string>> env_pairs = options.env;
  if (ids) {
    auto add_default = [&](const std::string& k, const std::string& v) {
      for (const auto& [key, _] : env_pairs) {
        if (key == k) return;
      }
      env_pairs.emplace_back(k, v);
    };
    add_default("HOME", ids->home);
    add_default("USER", options.user);
    add_default("LOGNAME", options.user);
  }
  std::vector<std::string> env_storage;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    std::string_view key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, _] : env_pairs) replaced = replaced || k == key;
    if (!replaced) env_storage.emplace_back(entry);
  }
  for (const auto& [k, v] : env_pairs) env_storage.push_back(std::string(k).append("=").append(v));
  std::vector<const char*> envp;
  envp.reserve(env_storage.size() + 1);
  for (const auto& e : env_storage) envp.push_back(e.c_str());
  envp.push_back(nullptr);

  std::string cwd = options.cwd.string();
  const std::string stdin_path =
      options.stdin_file.empty() ? std::string("/dev/null") : options.stdin_file.string();
  UniqueFd input(open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (input.get() < 0) return Status::Internal("cannot open " + stdin_path + ": " + Errno(errno));
  UniqueFd log;
  UniqueFd err_log;
  for (auto [file, fd] : {std::pair{&options.log_file, &log}, {&options.stderr_file, &err_log}}) {
    if (file->empty()) continue;
    fd->Reset(open(file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
    if (fd->get() < 0) {
      return Status::Internal("cannot open log file " + file->string() + ": " + Errno(errno));
    }
    if (ids && fchown(fd->get(), ids->uid, ids->gid) != 0) {
      return Status::Internal("cannot give " + file->string() + " to user " + options.user + ": " +
                              Errno(errno));
    }
  }
  UniqueFd netns;
  if (!options.netns.empty()) {
    netns.Reset(open(options.netns.c_str(), O_RDONLY | O_CLOEXEC));
    if (netns.get() < 0) {
      return Status::Internal("cannot open network namespace " + options.netns.string() + ": " +
                              Errno(errno));
    }
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::Internal("pipe: " + Errno(errno));
  UniqueFd err_read(pipe_fds[0]);
  UniqueFd err_write(pipe_fds[1]);
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return Status::Internal("fork: " + Errno(errno));
  if (pid == 0) {
    const int ef = err_write.get();
    // Signal mask and ignored signals survive execve; a supervisor that blocks SIGTERM for
    // sigwait must not hand that on to its children.
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, nullptr) != 0) ChildFail(ef, kResetSignals);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) {
      if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
    }
    if (options.new_process_group && setpgid(0, 0) != 0) ChildFail(ef, kNewProcessGroup);
    if (dup2(input.get(), 0) < 0) ChildFail(ef, kRedirect);
    if (log.get() >= 0 && (dup2(log.get(), 1) < 0 || dup2(log.get(), 2) < 0)) {
      ChildFail(ef, kRedirect);
    }
    if (err_log.get() >= 0 && dup2(err_log.get(), 2) < 0) ChildFail(ef, kRedirect);
    // Before setuid: joining a namespace needs CAP_SYS_ADMIN.
    if (netns.get() >= 0 && setns(netns.get(), CLONE_NEWNET) != 0) ChildFail(ef, kJoinNetns);
    if (ids) {
      if (setgroups(ids->groups.size(), ids->groups.data()) != 0) ChildFail(ef, kSetGroups);
      if (setgid(ids->gid) != 0) ChildFail(ef, kSetGid);
      if (setuid(ids->uid) != 0) ChildFail(ef, kSetUid);
    }
    // After setuid: a change of credentials clears the parent-death signal.
    if (options.parent_death_signal) {
      if (prctl(PR_SET_PDEATHSIG, *options.parent_death_signal) != 0) {
        ChildFail(ef, kParentDeathSignal);
      }
      if (getppid() != parent) _exit(1);  // the parent is already gone
    }
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) ChildFail(ef, kChdir);
    // Descriptors another thread opened without O_CLOEXEC (sockets, files) must not leak.
    if (ef > 3) close_range(3, ef - 1, 0);
    close_range(ef + 1, UINT_MAX, 0);
    execve(program->c_str(), const_cast<char* const*>(argv.data()),
           const_cast<char* const*>(envp.data()));
    ChildFail(ef, kExec);
  }

  // Both sides call setpgid so that the group exists whichever runs first; EACCES here only
  // means the child has already exec'd (and so has set it itself).
  if (options.new_process_group) setpgid(pid, pid);
  err_write.Reset();
  ChildError e{};
  ssize_t n;
  do {
    n = read(err_read.get(), &e, sizeof e);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof e)) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    const char* step = (e.step >= 0 && e.step < kStepCount) ? kStepNames[e.step] : "start";
    return Status::Internal("cannot start " + options.argv[0] + ": " + step +
                            " failed: " + Errno(e.err));
  }
  return Process(pid, options.new_process_group, options.stop_grace);
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      own_group_(other.own_group_),
      stop_grace_(other.stop_grace_),
      exit_(other.exit_) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_) Terminate(stop_grace_);
    pid_ = std::exchange(other.pid_, -1);
    own_group_ = other.own_group_;
    stop_grace_ = other.stop_grace_;
    exit_ = other.exit_;
  }
  return *this;
}

Process::~Process() {
  if (pid_ > 0 && !exit_) Terminate(stop_grace_);
}

bool Process::TryReap() {
  if (exit_) return true;
  if (pid_ <= 0) return true;
  int st = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &st, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return false;
  ExitStatus es;
  if (r == pid_) {
    if (WIFEXITED(st)) es.code = WEXITSTATUS(st);
    if (WIFSIGNALED(st)) es.signal = WTERMSIG(st);
  }
  // r < 0 (ECHILD): someone else reaped it (SIGCHLD ignored); it is gone, how is unknown.
  exit_ = es;
  return true;
}

bool Process::Running() { return !TryReap(); }

Status Process::Signal(int sig) {
  if (pid_ <= 0) return Status::FailedPrecondition("no process");
  if (TryReap()) return Status::Ok();
  if (kill(pid_, sig) != 0 && errno != ESRCH) {
    return Status::Internal("cannot signal pid " + std::to_string(pid_) + ": " + Errno(errno));
  }
  return Status::Ok();
}

Status Process::SignalGroup(int sig) {
  if (pid_ <= 0) return Status::FailedPrecondition("no process");
  if (!own_group_) return Signal(sig);
  // The group id stays reserved while any member lives, even after the leader has been reaped,
  // so this reaches leftovers (e.g. backends of a dead postmaster) and nothing else.
  if (kill(-pid_, sig) != 0 && errno != ESRCH) {
    return Status::Internal("cannot signal process group " + std::to_string(pid_) + ": " +
                            Errno(errno));
  }
  return Status::Ok();
}

Result<ExitStatus> Process::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return Status::FailedPrecondition("no process");
  if (TryReap()) return *exit_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // A pidfd becomes readable when the child ends, so we sleep exactly as long as needed.
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
  auto step = std::chrono::milliseconds(1);
  while (true) {
    if (TryReap()) return *exit_;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (pidfd.get() >= 0) {
      pollfd p{pidfd.get(), POLLIN, 0};
      poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, INT_MAX)));
    } else {
      std::this_thread::sleep_for(std::min(step, left));
      step = std::min(step * 2, std::chrono::milliseconds(50));
    }
  }
  return Status::Unavailable("pid " + std::to_string(pid_) + " is still running after " +
                             std::to_string(timeout.count()) + " ms");
}

ExitStatus Process::Terminate(std::chrono::milliseconds grace, int sig) {
  if (pid_ <= 0) return {};
  if (TryReap()) return *exit_;
  (void)Signal(sig);
  auto r = Wait(grace);
  if (r.ok()) return *r;
  (void)SignalGroup(SIGKILL);
  (void)Signal(SIGKILL);
  r = Wait(std::chrono::seconds(30));
  if (r.ok()) return *r;
  return ExitStatus{-1, SIGKILL};  // stuck in the kernel; nothing more we can do
}

namespace {
// Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and ')'.
std::string StatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return "";
  size_t paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 > line.size() ? "" : line.substr(paren + 2);
}
}  // namespace

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
    std::string fields = StatFields(pid);  // "S 1234 ..." : state, then the parent's pid
    if (fields.size() > 2 && std::atol(fields.c_str() + 2) == parent) out.push_back(pid);
  }
  return out;
}

bool IsGone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::string fields = StatFields(pid);
  return fields.empty() || fields[0] == 'Z' || fields[0] == 'X';
}

std::string TailOfFile(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                             ? size - static_cast<std::streamoff>(max_bytes)
                             : 0;
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (start > 0) {
    size_t nl = text.find('\n');
    text = nl == std::string::npos ? "" : text.substr(nl + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace landslide::os
