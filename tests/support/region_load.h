// Voters casting ballots at several regions at once, the way a careful client does: every ballot
// carries its own Idempotency-Key, a 503 or a connection failure moves it to the next region
// (after Retry-After, capped), and it is retried with the same key until a region answers 201.
// What each ballot was finally told is kept, so a test can check the invariants afterwards:
// every 201 counted everywhere, nothing else counted, nobody counted twice.
//
//   RegionLoad load(urls, voters, {.threads = 6});
//   ... kill a region ...
//   load.Stop();
//   LoadOutcome out = load.Outcome();
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace landslide::testing {

struct RegionLoadOptions {
  int threads = 6;
  // Pause between a thread's ballots, to keep the machine able to run the cluster too.
  std::chrono::milliseconds pause{5};
  // Give up on a ballot (and report it) after this long without a 201.
  std::chrono::seconds ballot_deadline{60};
  std::chrono::milliseconds request_timeout{15000};
};

// One ballot, as the load finally saw it.
struct CastBallot {
  std::string voter;
  std::string candidate;
  std::string receipt;  // empty unless some region answered 201 (verifiable: the tracking code)
  std::string region;   // the region that answered 201
  int attempts = 0;
  std::chrono::steady_clock::time_point first_sent, answered;
};

struct LoadOutcome {
  std::vector<CastBallot> counted;      // answered 201
  std::vector<CastBallot> unresolved;   // never answered 201 before its deadline or the stop
  std::vector<std::string> violations;  // answers no correct region gives (e.g. 409 to a retry)
  std::map<int, int> answers;           // every HTTP status seen (0: no answer), retries included
  std::map<std::string, int> counted_by_candidate;
  // The longest time between two consecutive 201s, and when it began: the write gap voters saw.
  double longest_gap_s = 0;
  std::chrono::steady_clock::time_point gap_start{};
};

class RegionLoad {
 public:
  // `regions`: base URLs ("http://127.0.0.1:7000"); thread t starts each ballot at region
  // t % size and moves on from there. `voters`: ids, each cast at most once.
  RegionLoad(std::vector<std::string> regions, std::vector<std::string> voters,
             RegionLoadOptions options = {});
  ~RegionLoad();
  RegionLoad(const RegionLoad&) = delete;
  RegionLoad& operator=(const RegionLoad&) = delete;

  // Stops starting new ballots; ballots already started are still pursued until answered 201 or
  // their deadline. Idempotent.
  void Stop();
  int counted_so_far() const { return counted_so_far_.load(); }
  // Only after Stop().
  LoadOutcome Outcome() const;

 private:
  void Run(int thread_index);
  CastBallot Cast(int thread_index, const std::string& voter, size_t n);

  const std::vector<std::string> regions_;
  const std::vector<std::string> voters_;
  const RegionLoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> next_{0};
  std::atomic<int> counted_so_far_{0};
  mutable std::mutex mu_;
  std::vector<CastBallot> done_;         // guarded by mu_
  std::vector<std::string> violations_;  // guarded by mu_
  std::map<int, int> answers_;           // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace landslide::testing
