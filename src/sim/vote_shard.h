// The request engine of the load generator (internal to src/sim; callers use
// sim/load_generator.h). A Shard is one thread's share of the keep-alive connections, each
// casting one vote at a time through its own Asio io_context, so the request path takes no
// locks. Shards share only the plan, the target health and a few relaxed atomic counters.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/latency_histogram.h"
#include "sim/load_generator.h"
#include "sim/target_pool.h"
#include "sim/vote_plan.h"

namespace landslide::sim {

inline constexpr int kStatusSlots = 600;  // HTTP status codes 0..599

struct TargetCounters {
  int64_t requests = 0;
  int64_t counted = 0;
  int64_t connection_errors = 0;
  std::array<int64_t, kStatusSlots> by_status{};
};

// One shard's results; only its own thread touches them until it has stopped.
struct ShardStats {
  int64_t sent = 0, counted = 0, failed = 0, already_voted = 0, already_voted_on_retry = 0;
  int64_t retries = 0, connection_errors = 0, timeouts = 0;
  std::array<int64_t, kStatusSlots> by_status{};
  std::map<std::string, int64_t> failed_by_reason;
  LatencyHistogram vote_latency;     // counted votes, from their due time
  LatencyHistogram request_latency;  // every answered request
  std::vector<TargetCounters> per_target;
  StateCandidateCounts counted_by_state;
};

// What every shard shares. The atomics feed live progress only (relaxed); the report is built
// from the shards' own stats once they have stopped.
struct RunState {
  const SimulationOptions& options;
  const VotePlan& plan;
  TargetHealth& health;
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point deadline;  // no vote is started after it
  double interval_ns = 0;        // open loop: time between two votes' due times; 0: closed
  std::atomic<int64_t> next{0};  // the next vote of the plan nobody has taken
  std::atomic<int64_t> done{0}, counted{0}, failed{0}, retries{0}, errors{0};

  bool Stopping(std::chrono::steady_clock::time_point now) const {
    return now >= deadline || (options.stop != nullptr && options.stop->load());
  }
};

class ShardEngine;

class Shard {
 public:
  // Workers for slots [first_slot, first_slot + connections): the slot spreads connections
  // over equally good targets.
  Shard(RunState& run, size_t first_slot, int connections);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // Casts votes until the plan is exhausted or the run stops, then returns. Call once.
  void Run();
  const ShardStats& stats() const;
  // Why the shard stopped early (a handler threw), or empty.
  const std::string& error() const;

 private:
  std::unique_ptr<ShardEngine> engine_;
};

}  // namespace landslide::sim
