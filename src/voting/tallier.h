// The tallier: reads every shard's batches in order from this region's standby, checks each
// shard's hash chain, opens the sealed choices and keeps exact tallies in memory, so results
// never touch the primary. Publishes immutable snapshots for the API to serve.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/thread_annotations.h"
#include "domain/tally.h"
#include "voting/ballot_store.h"

namespace landslide {

struct TallySnapshot {
  explicit TallySnapshot(const Election& e) : tally(e) {}
  Tally tally;  // per candidate; stays zero in a verifiable election (the trustees decrypt)
  // Verifiable elections: ballots cast per jurisdiction (Election::jurisdictions() order), and
  // spoiled ballots in all. Every cast ballot is counted here once its batch's chain verified.
  std::vector<int64_t> cast;
  int64_t spoiled = 0;
  std::vector<ShardHead> heads;  // verified chain heads, by shard name
  TimePoint as_of{};             // when the standby was last read
  int64_t lag_batches = 0;       // batches on the standby not yet counted
  bool ok = false;               // the last pass read the standby and every chain verified
  std::string error;             // why not
  uint64_t version = 0;          // changes whenever the tallies or heads change
};

class Tallier {
 public:
  Tallier(const Election& election, const std::array<uint8_t, 32>& election_secret,
          BatchSourceFactory source_factory, std::chrono::milliseconds poll_interval,
          MetricsRegistry& metrics);
  ~Tallier();
  Tallier(const Tallier&) = delete;
  Tallier& operator=(const Tallier&) = delete;

  void Start();
  void Stop();
  // One pass over the standby, on the caller's thread (tests, audit).
  Status PollOnce();
  std::shared_ptr<const TallySnapshot> Snapshot() const { return snapshot_.load(); }

 private:
  Status Pass();
  Status CountBatch(const SealedBatch& batch, ShardHead& head);
  Status CountBoardBatch(const SealedBatch& batch, ShardHead& head);
  void Publish(const Status& pass);
  // Forgets every count, to read the standby again from the first batch.
  void StartOver(const std::string& why);

  const Election& election_;
  BallotOpener opener_;
  const BatchSourceFactory source_factory_;
  const std::chrono::milliseconds poll_interval_;
  Gauge& lag_gauge_;
  Counter& counted_;

  // Owned by the polling thread (or the PollOnce caller; never both at once).
  std::unique_ptr<BatchSource> source_;
  Tally tally_;
  std::vector<int64_t> cast_;
  int64_t spoiled_ = 0;
  std::map<std::string, ShardHead> heads_;
  int64_t lag_ = 0;
  bool broken_chain_ = false;
  std::string broken_why_;
  // Set by StartOver until the recount has caught up; snapshots are not published meanwhile,
  // so readers keep the last complete results instead of a partial count.
  bool recounting_ = false;
  // A chain that fails to verify right after a recount is broken for real (tampering), not
  // rewound: count nothing past it. Cleared once a pass verifies everything.
  bool recounted_after_failure_ = false;
  uint64_t version_ = 0;

  std::atomic<std::shared_ptr<const TallySnapshot>> snapshot_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace landslide
