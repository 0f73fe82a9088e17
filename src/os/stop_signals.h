// The one way a command learns that it should stop: SIGINT and SIGTERM are blocked (in this
// thread and every thread it starts afterwards) and taken with sigtimedwait, so there is no
// signal handler and whoever owns the StopSignals decides what stopping means:
//   - a supervisor on one thread (`up`, `serve`, `demo`) waits for them with StopRequested() or
//     Wait() and shuts down in plain order;
//   - a command whose work runs on other threads (`simulate`, `bench`) calls WatchInBackground():
//     the first signal only raises flag() (stop taking new work, still report what ran), a
//     second one ends the process at once.
// Children unblock everything for themselves (see Process::Spawn).
#pragma once

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace landslide::os {

struct StopSignalsOptions {
  // Also block SIGCHLD, so that StopRequested() returns early when a child changes state.
  bool wake_on_child = false;
  // Ignore SIGPIPE: a peer closing a socket is an error to handle, not a reason to die.
  bool ignore_sigpipe = false;
};

class StopSignals {
 public:
  explicit StopSignals(StopSignalsOptions options = {});
  // Drops signals still pending (a SIGCHLD, a second Ctrl-C during shutdown), which must not fire
  // once unblocked: everything is stopped by now. Then restores the old mask (and SIGPIPE).
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits up to `timeout` for a signal: true once SIGINT or SIGTERM has arrived (now or before);
  // false after the timeout or early when a child changed state (with wake_on_child).
  bool StopRequested(std::chrono::milliseconds timeout);
  // True once SIGINT or SIGTERM has arrived; does not wait.
  bool Interrupted() { return StopRequested(std::chrono::milliseconds(0)); }
  // Waits as long as it takes for SIGINT or SIGTERM; returns it.
  int Wait();
  int stop_signal() const { return stop_signal_; }

  // Takes the signals on a thread of its own from now on: the first raises flag(), a second
  // one gets its default action (the process ends). Call once, from the owning thread.
  void WatchInBackground();
  const std::atomic<bool>* flag() const { return &flag_; }
  bool stopped() const { return flag_.load(); }

 private:
  sigset_t set_;
  sigset_t old_;
  struct sigaction old_pipe_ {};
  bool ignored_pipe_ = false;
  int stop_signal_ = 0;
  std::atomic<bool> flag_{false};
  std::atomic<bool> closing_{false};
  std::thread watcher_;
};

}  // namespace landslide::os
