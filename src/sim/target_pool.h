// The regions a simulation votes at, and how a client picks among them the way Route 53 latency
// routing with health-check failover does: every target's GET /health is probed at the start
// and about every second; connections use the healthy targets with the lowest measured latency
// (spread over those that are about as fast, since voters near equally close regions split
// between them); a target that answers 503 or drops a connection is avoided until a later probe
// finds it healthy again.
//
// Internal to src/sim (it exposes Asio types); callers use sim/load_generator.h.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/beast.h"
#include "common/status.h"

namespace landslide::sim {

struct Target {
  std::string url;   // "http://127.0.0.1:7071", as given minus any trailing '/'
  std::string host;  // "127.0.0.1"
  uint16_t port = 80;
  std::string host_header;                                // "127.0.0.1:7071"
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // filled by ResolveTargets
};

// Parses "http://host[:port][/]"; InvalidArgument for anything else (https is not supported:
// the regions are reached on a private network or loopback).
Result<Target> ParseTarget(std::string_view url);
// Parses each URL; InvalidArgument for none, a bad one, or the same one twice.
Result<std::vector<Target>> ParseTargets(const std::vector<std::string>& urls);
// Resolves every target's host once, so that reconnections never wait for DNS.
Status ResolveTargets(std::vector<Target>& targets);

struct HttpReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
};

// One GET on a fresh connection (`Connection: close`), answered through `done` on the
// io_context's thread with the reply or kUnavailable, and the time it took in microseconds.
void AsyncHttpGet(boost::asio::io_context& ioc, const Target& target, const std::string& path,
                  std::chrono::milliseconds timeout,
                  std::function<void(Result<HttpReply>, int64_t micros)> done);
// The same, blocking.
Result<HttpReply> HttpGet(const Target& target, const std::string& path,
                          std::chrono::milliseconds timeout);

// What the client knows of each target's health, shared by every connection and the prober.
// Reads and updates are lock-free; only the event log takes a lock.
class TargetHealth {
 public:
  explicit TargetHealth(std::vector<Target> targets);

  size_t size() const { return targets_.size(); }
  const Target& target(size_t i) const { return targets_[i]; }
  bool healthy(size_t i) const { return state_[i].healthy.load(std::memory_order_relaxed); }
  bool avoided(size_t i) const { return state_[i].failed_at.load(std::memory_order_relaxed) != 0; }
  int64_t latency_us(size_t i) const {
    return state_[i].latency_us.load(std::memory_order_relaxed);
  }
  int healthy_count() const;

  // A 503 or a connection error from target i: avoid it until a probe sent after now finds it
  // healthy. Returns true if this moved the target from used to avoided.
  bool MarkFailed(size_t i);
  // A probe of target i that was sent at `sent` (steady clock) answered `status` (0: no answer)
  // after `micros`.
  void RecordProbe(size_t i, std::chrono::steady_clock::time_point sent, int status, int64_t micros,
                   const std::string& detail);

  // The target for connection `slot`: the healthy, not avoided targets whose latency is within
  // max(25%, 3 ms) of the best, taken round-robin by slot; `shift` (the attempt number of a
  // retry) moves on to the next one. With no such target, the healthy ones; with none healthy,
  // all of them in turn.
  size_t Choose(size_t slot, size_t shift) const;

  // Human-readable transitions ("... failed its health check", "... is healthy again") since
  // the last call.
  std::vector<std::string> TakeEvents();
  int64_t failovers() const { return failovers_.load(std::memory_order_relaxed); }

 private:
  struct State {
    std::atomic<bool> healthy{false};
    std::atomic<bool> probed{false};
    std::atomic<int64_t> latency_us{0};  // smoothed probe latency
    std::atomic<int64_t> failed_at{0};   // steady-clock ns of the last failure; 0: not avoided
  };
  std::vector<Target> targets_;
  std::unique_ptr<State[]> state_;
  std::atomic<int64_t> failovers_{0};
  std::mutex events_mu_;
  std::vector<std::string> events_;  // guarded by events_mu_
};

// Probes GET /health of every target on its own thread.
class HealthProber {
 public:
  HealthProber(TargetHealth& health, std::chrono::milliseconds interval,
               std::chrono::milliseconds timeout);
  ~HealthProber();
  HealthProber(const HealthProber&) = delete;
  HealthProber& operator=(const HealthProber&) = delete;

  // Probes every target once and waits for the answers (before the run starts).
  void ProbeAllOnce();
  // Probes every `interval` until Stop().
  void Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace landslide::sim
