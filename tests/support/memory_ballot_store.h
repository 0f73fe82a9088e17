// An in-memory BallotStore and BatchSource with the same first-writer-wins semantics as the
// PostgreSQL one, plus a wrapper that injects faults. For unit tests of the voting core only:
// correctness against the real database is proven by the integration suite.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "voting/ballot_store.h"

namespace landslide {

class MemoryBallotDb {
 public:
  std::unique_ptr<BallotStore> NewStore();
  std::unique_ptr<BatchSource> NewSource();

  size_t pollbook_size() const;
  size_t ballot_count() const;
  // Flips one bit of the first ballot of batch (shard, seq), as an attacker with write access
  // to the ballot box would; returns false if there is no such batch.
  bool TamperWithBallot(const std::string& shard, int64_t seq);
  // Drops the shard's last batch and moves its head back, as pg_rewind does to a demoted primary
  // that had committed a batch locally which never reached a standby. False if it has none.
  bool ForgetLastBatch(const std::string& shard);
  // `landslide close`: every later CommitBatch fails with kFailedPrecondition.
  void Close();

 private:
  friend class MemoryStore;
  friend class MemorySource;
  mutable std::mutex mu_;
  std::map<VoterHash, RecordedVote> pollbook_;                      // guarded by mu_
  std::map<std::string, ShardHead> shards_;                         // guarded by mu_
  std::map<std::pair<std::string, int64_t>, SealedBatch> batches_;  // guarded by mu_
  std::set<TrackingCode> board_;                                    // guarded by mu_
  bool closed_ = false;                                             // guarded by mu_
};

// What the next CommitBatch calls of a FaultyStore do.
struct Faults {
  int fail_before_commit = 0;  // answer kUnavailable, record nothing
  int lose_commit_ack = 0;     // commit, then answer kDeadlineExceeded (the ack was lost)
  int fail_connect = 0;        // the factory fails this many times
  // Every commit takes this long, then succeeds: a primary waiting for a standby that a
  // partition cut off.
  std::chrono::milliseconds stall_commit{0};
};

// Wraps a store; `faults` is shared with the test, which may change it between calls.
std::unique_ptr<BallotStore> MakeFaultyStore(std::unique_ptr<BallotStore> inner,
                                             std::shared_ptr<Faults> faults,
                                             std::shared_ptr<std::mutex> mu);

}  // namespace landslide
