// The ports between the voting core and the system of record. The core talks to these
// interfaces only, so tests can put a fault-injecting store in front of the real one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "crypto/ballot_crypto.h"
#include "domain/verifiable_ballot.h"

namespace landslide {

// Where a writer shard's hash chain stands.
struct ShardHead {
  std::string shard;
  int64_t seq = 0;   // last committed batch; 0 before the first
  ChainHash head{};  // chain hash after that batch; zeros before the first
};

struct PollbookEntry {
  VoterHash voter;
  std::optional<IdempotencyHash> idempotency;
};

// A vote already in the pollbook: who voted when and where (never how).
struct RecordedVote {
  TimePoint voted_at;
  std::string region;
  std::optional<IdempotencyHash> idempotency;
};

struct StoredBallot {
  std::string jurisdiction;
  Receipt receipt;
  SealedBallot sealed;
};

// A verifiable ballot as the bulletin board holds it (docs/RECORD.md).
struct BoardEntry {
  BallotKind kind = BallotKind::kCast;
  std::string jurisdiction;
  TrackingCode tracking{};
  std::vector<uint8_t> body;     // EncodeBallot
  std::vector<uint8_t> opening;  // EncodeOpening; spoiled ballots only
};

// A batch as stored: ballots in their stored (shuffled) order. A sealed election's batches hold
// `ballots`, a verifiable one's `board` (and a zero ephemeral key).
struct SealedBatch {
  std::string shard;
  int64_t seq = 0;
  PublicKey ephemeral_public{};
  ChainHash head{};
  std::vector<StoredBallot> ballots;
  std::vector<BoardEntry> board;
  bool empty() const { return ballots.empty() && board.empty(); }
};

struct BatchCommit {
  std::vector<bool> won;                              // per entry: this call recorded the vote
  std::vector<std::optional<RecordedVote>> existing;  // per entry that lost: the earlier vote
  // Tracking codes of the batch's board entries that the board already holds (a replayed
  // spoiled ballot, a spoiled ballot cast). When not empty nothing was recorded: the caller
  // answers those ballots and commits the rest again.
  std::vector<TrackingCode> already_on_board;
};

class BallotStore {
 public:
  virtual ~BallotStore() = default;

  // The shard's current head (creating the shard if new).
  virtual Result<ShardHead> OpenShard(const std::string& shard) = 0;

  // One transaction on the primary: records `entries` in the pollbook (the database decides who
  // was first), asks `seal` for the batch of those that won, stores it and moves the shard head
  // from `expected` to the batch. Returns only after COMMIT (synchronous replication included).
  // `seal` is called once whatever won (a verifiable batch may hold only spoiled ballots); an
  // empty batch is not stored.
  // kUnavailable: nothing was recorded. kAborted: the shard head moved (another writer with the
  // same shard); nothing was recorded. kFailedPrecondition: voting is closed (`landslide
  // close`); nothing was recorded. kDeadlineExceeded: the outcome could not be determined.
  virtual Result<BatchCommit> CommitBatch(
      const std::string& region, TimePoint voted_at, const std::vector<PollbookEntry>& entries,
      const ShardHead& expected,
      const std::function<SealedBatch(const std::vector<bool>& won)>& seal) = 0;
};

using BallotStoreFactory = std::function<Result<std::unique_ptr<BallotStore>>()>;

// What talliers and auditors read: every shard's batches in order.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Result<std::vector<ShardHead>> Heads() = 0;
  // Batches of `shard` with after_seq < seq <= up_to_seq, in seq order, at most `limit`.
  virtual Result<std::vector<SealedBatch>> ReadBatches(const std::string& shard, int64_t after_seq,
                                                       int64_t up_to_seq, int limit) = 0;
};

using BatchSourceFactory = std::function<Result<std::unique_ptr<BatchSource>>()>;

}  // namespace landslide
