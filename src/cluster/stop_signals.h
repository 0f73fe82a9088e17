// SIGINT and SIGTERM for a supervisor that runs on one thread: they (and SIGCHLD) are blocked and
// taken with sigtimedwait, so there is no signal handler and shutdown runs on the main thread in
// plain order. Children unblock them for themselves (see Process::Spawn).
#pragma once

#include <chrono>
#include <csignal>

namespace landslide::cluster {

class StopSignals {
 public:
  // Blocks SIGINT, SIGTERM and SIGCHLD for this thread until destruction.
  StopSignals();
  // Drops signals still pending (a SIGCHLD, a second Ctrl-C during shutdown), which must not fire
  // once unblocked: everything is stopped by now. Then restores the old mask.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits up to `timeout` for a signal: true once SIGINT or SIGTERM has arrived (now or before);
  // false after the timeout or early when a child changed state (SIGCHLD).
  bool StopRequested(std::chrono::milliseconds timeout);
  // True once SIGINT or SIGTERM has arrived; does not wait.
  bool Interrupted() { return StopRequested(std::chrono::milliseconds(0)); }
  int stop_signal() const { return stop_signal_; }

 private:
  sigset_t set_;
  sigset_t old_;
  int stop_signal_ = 0;
};

}  // namespace landslide::cluster
