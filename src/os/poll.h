// Waiting for a condition that another process or thread will make true.
#pragma once

#include <chrono>
#include <thread>

namespace landslide::os {

// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it
// held. The condition is asked once more at the deadline.
template <typename F>
bool Eventually(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace landslide::os
