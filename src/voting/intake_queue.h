// The intake queue: the stage the AWS demo gave to SQS. API threads submit validated ballots;
// writer threads take them in batches, seal the choices under one ephemeral key per batch and
// commit each batch to the primary in one transaction (group commit). A caller hears "counted"
// only after COMMIT returned. When the queue is full, draining, or no primary answers, the
// caller hears "unavailable" and nothing was recorded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/thread_annotations.h"
#include "domain/election.h"
#include "voting/ballot_store.h"
#include "voting/verifiable_election.h"

namespace landslide {

struct VoteOutcome {
  enum class Kind {
    kCounted,
    kAlreadyVoted,
    kUnavailable,     // nothing was recorded; a retry is safe
    kOutcomeUnknown,  // sent to the primary but not answered: it may yet count, and a retry
                      // with the same Idempotency-Key tells
    kRejected,        // a verifiable ballot whose signature or proofs fail (message says which)
    kAlreadyOnBoard,  // a verifiable ballot the board already holds (a replay, a spoiled one)
    kClosed,          // voting was closed (`landslide close`); nothing was recorded
  };
  Kind kind = Kind::kUnavailable;
  Receipt receipt{};
  TrackingCode tracking{};  // a verifiable ballot's, when counted or spoiled
  TimePoint voted_at{};
  std::string region;   // where the counted ballot was taken
  std::string message;  // why, for kUnavailable and kOutcomeUnknown
};

// Called exactly once per ticket, on a writer thread. Must not throw and must not block.
using VoteCallback = std::function<void(const VoteOutcome&)>;

struct VoteTicket {
  VoterHash voter{};
  JurisdictionIndex jurisdiction = 0;
  CandidateIndex candidate = 0;
  std::optional<std::string> idempotency_key;
  // A verifiable election's ballot (then `voter` is its CredentialKey and `candidate` unused).
  // A cast ballot's tracking code stands in for an idempotency key: the same ballot sent again
  // gets its first answer.
  std::shared_ptr<const BallotSubmission> ballot;
  // Not answered by then: unavailable. Still queued, nothing was recorded; already sent (the
  // primary stalls), the outcome is not known yet and a retry with the same key tells.
  std::chrono::steady_clock::time_point deadline;
  VoteCallback done;
};

struct IntakeOptions {
  std::string region;
  size_t capacity = 100000;                // ballots waiting, across writers
  size_t max_batch = 4096;                 // ballots per transaction
  std::chrono::microseconds linger{1000};  // wait this long for a batch to fill
  int writers = 2;                         // connections to the primary, one shard each
};

class IntakeQueue {
 public:
  IntakeQueue(IntakeOptions options, const Election& election, const PublicKey& election_public,
              const std::array<uint8_t, 32>& registry_key, BallotStoreFactory store_factory,
              MetricsRegistry& metrics);
  ~IntakeQueue();
  IntakeQueue(const IntakeQueue&) = delete;
  IntakeQueue& operator=(const IntakeQueue&) = delete;

  void Start();
  // Takes the ticket, or hands it back (returns false) when full or draining.
  bool Submit(VoteTicket& ticket);
  // Stops taking tickets, commits everything queued, joins the writers.
  void Drain();

  size_t depth() const;
  // False while the last attempt to commit (or connect) failed, for at most `kFailureMemory`
  // after it: a region that has not needed the primary since then lets the health probe speak.
  bool PrimaryOk(std::string* why) const;
  static constexpr std::chrono::seconds kFailureMemory{3};
  // The writer shards' names ("<region>-w0", ...).
  std::vector<std::string> shards() const;

 private:
  struct Writer;
  void RunWriter(Writer& w);
  void Process(Writer& w, std::vector<VoteTicket>& batch);
  void CommitAndReply(Writer& w, std::vector<VoteTicket>& batch);
  // Answers the verifiable ballots whose proofs fail and drops them from `batch`.
  void RejectUnverified(std::vector<VoteTicket>& batch);
  // A verifiable batch: the cast ballots that won and every spoiled one, once each (marked in
  // `on_batch`), shuffled, chained as docs/RECORD.md says.
  SealedBatch SealBoard(const Writer& w, const std::vector<VoteTicket>& batch,
                        const std::vector<size_t>& ticket_of, const std::vector<bool>& won,
                        std::vector<bool>& on_batch) const;
  static IdempotencyHash TrackingIdempotency(const TrackingCode& tracking);
  void ReplyAll(std::vector<VoteTicket>& batch, const std::string& why,
                VoteOutcome::Kind kind = VoteOutcome::Kind::kUnavailable);
  void SetPrimaryStatus(bool ok, const std::string& why);

  const IntakeOptions options_;
  const Election& election_;
  const PublicKey election_public_;
  const VoterHasher hasher_;
  const BallotStoreFactory store_factory_;

  Histogram& batch_size_;
  Histogram& commit_seconds_;
  Counter& commit_failures_;
  Gauge& depth_gauge_;

  mutable Mutex mu_;
  std::condition_variable cv_;         // idle writers wait here for the queue to fill
  std::condition_variable full_cv_;    // lingering writers wait here for a full batch
  std::condition_variable reaper_cv_;  // the reaper's own, so it never takes a writer's wake-up
  std::deque<VoteTicket> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool primary_ok_ GUARDED_BY(mu_) = true;
  std::string primary_error_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point primary_failed_at_ GUARDED_BY(mu_);

  std::vector<std::unique_ptr<Writer>> writers_;
  // Answers queued ballots whose deadline passed while every writer was busy (a stalled
  // primary): they were never sent, so "nothing was recorded" is true.
  std::thread reaper_;
  void RunReaper();
};

}  // namespace landslide
