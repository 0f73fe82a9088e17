#include "cluster/stop_signals.h"

#include <pthread.h>

#include <ctime>

namespace landslide::cluster {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  for (int s : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&set_, s);
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
}

StopSignals::~StopSignals() {
  timespec zero{0, 0};
  while (sigtimedwait(&set_, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

bool StopSignals::StopRequested(std::chrono::milliseconds timeout) {
  if (stop_signal_ != 0) return true;
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>((timeout.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set_, nullptr, &ts);
  if (sig == SIGINT || sig == SIGTERM) stop_signal_ = sig;
  // A SIGCHLD ends the wait early: a child changed state, so the caller looks at once.
  return stop_signal_ != 0;
}

}  // namespace landslide::cluster
