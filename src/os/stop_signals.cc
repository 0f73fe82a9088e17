#include "os/stop_signals.h"

#include <pthread.h>

#include <ctime>

namespace landslide::os {

namespace {

timespec ToTimespec(std::chrono::milliseconds t) {
  return timespec{static_cast<time_t>(t.count() / 1000),
                  static_cast<long>((t.count() % 1000) * 1000000)};
}

}  // namespace

StopSignals::StopSignals(StopSignalsOptions options) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  if (options.wake_on_child) sigaddset(&set_, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  if (options.ignore_sigpipe) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ignored_pipe_ = sigaction(SIGPIPE, &ignore, &old_pipe_) == 0;
  }
}

StopSignals::~StopSignals() {
  if (watcher_.joinable()) {
    closing_ = true;
    watcher_.join();
  }
  timespec zero{0, 0};
  while (sigtimedwait(&set_, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  if (ignored_pipe_) sigaction(SIGPIPE, &old_pipe_, nullptr);
}

bool StopSignals::StopRequested(std::chrono::milliseconds timeout) {
  if (stop_signal_ != 0) return true;
  timespec ts = ToTimespec(timeout);
  int sig = sigtimedwait(&set_, nullptr, &ts);
  if (sig == SIGINT || sig == SIGTERM) stop_signal_ = sig;
  // A SIGCHLD ends the wait early: a child changed state, so the caller looks at once.
  return stop_signal_ != 0;
}

int StopSignals::Wait() {
  while (!StopRequested(std::chrono::hours(1))) {
  }
  return stop_signal_;
}

void StopSignals::WatchInBackground() {
  if (watcher_.joinable()) return;
  // The watcher inherits the blocked mask, so the signals stay pending until it takes them.
  watcher_ = std::thread([this] {
    while (!closing_.load()) {
      timespec ts = ToTimespec(std::chrono::milliseconds(100));
      const int sig = sigtimedwait(&set_, nullptr, &ts);
      if (sig != SIGINT && sig != SIGTERM) continue;
      if (!flag_.exchange(true)) continue;
      // The second one: its default action, at once.
      signal(sig, SIG_DFL);
      sigset_t just;
      sigemptyset(&just);
      sigaddset(&just, sig);
      pthread_sigmask(SIG_UNBLOCK, &just, nullptr);
      raise(sig);
    }
  });
}

}  // namespace landslide::os
