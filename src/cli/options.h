// Small helpers shared by the command modules.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "domain/election.h"

namespace landslide::cli {

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}.
std::optional<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& text);
// The election of --election FILE, or the built-in 2016 ballot when FILE is empty.
Result<Election> LoadElectionOrDefault(const std::string& file);
// Writes `text` to `path` (a report, a chart), replacing what was there.
Status WriteTextFile(const std::string& path, const std::string& text);

// While alive, the first SIGINT or SIGTERM only raises flag(): a long command stops taking new
// work and still reports what ran; a second one ends the process at once. SIGPIPE is ignored
// (a peer closing a socket is an error to handle, not a reason to die). One at a time.
class StopOnInterrupt {
 public:
  StopOnInterrupt();
  ~StopOnInterrupt();  // restores the previous handlers
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;
  const std::atomic<bool>* flag() const;
  bool stopped() const { return flag()->load(); }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace landslide::cli
