#include "voting/intake_queue.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>
#include <unordered_map>

namespace landslide {

namespace {
constexpr const char* kOutcomeUnknown =
    "the outcome of this ballot is not known yet; retry with the same Idempotency-Key";
}  // namespace

struct IntakeQueue::Writer {
  std::string shard;
  std::unique_ptr<BallotStore> store;
  std::optional<ShardHead> head;  // known head of this writer's chain
  std::thread thread;
  // The callers of the batch being committed, and the earliest of their deadlines: past it, the
  // reaper tells them the outcome is not known yet, while the writer goes on learning it.
  // (The batch lives on the writer's stack; the pointer is cleared, under mu_, before it goes.)
  const std::vector<VoteTicket>* in_flight = nullptr;        // guarded by the queue's mu_
  std::chrono::steady_clock::time_point in_flight_deadline;  // guarded by the queue's mu_
};

IntakeQueue::IntakeQueue(IntakeOptions options, const Election& election,
                         const PublicKey& election_public,
                         const std::array<uint8_t, 32>& registry_key,
                         BallotStoreFactory store_factory, MetricsRegistry& metrics)
    : options_(std::move(options)),
      election_(election),
      election_public_(election_public),
      hasher_(registry_key),
      store_factory_(std::move(store_factory)),
      batch_size_(metrics.AddHistogram("landslide_batch_ballots", "Ballots per committed batch",
                                       {1, 4, 16, 64, 256, 1024, 4096})),
      commit_seconds_(
          metrics.AddHistogram("landslide_batch_commit_seconds",
                               "Time to commit one batch, synchronous replication included",
                               {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5})),
      commit_failures_(metrics.AddCounter("landslide_batch_failures_total",
                                          "Batches that could not be committed")),
      depth_gauge_(metrics.AddGauge("landslide_intake_queue_depth", "Ballots waiting to commit")) {
  for (int i = 0; i < options_.writers; ++i) {
    auto w = std::make_unique<Writer>();
    w->shard = options_.region + "-w" + std::to_string(i);
    writers_.push_back(std::move(w));
  }
}

IntakeQueue::~IntakeQueue() { Drain(); }

void IntakeQueue::Start() {
  for (auto& w : writers_) {
    Writer* raw = w.get();
    w->thread = std::thread([this, raw] { RunWriter(*raw); });
  }
  reaper_ = std::thread([this] { RunReaper(); });
}

void IntakeQueue::RunReaper() {
  while (true) {
    std::vector<VoteTicket> expired;
    std::vector<VoteCallback> overdue;
    {
      UniqueMutexLock lock(mu_);
      if (stopping_) return;
      lock.WaitUntil(reaper_cv_, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
      if (stopping_) return;
      auto now = std::chrono::steady_clock::now();
      // Tickets are queued in arrival order with the same deadline offset, so the expired ones
      // are at the front.
      while (!queue_.empty() && queue_.front().deadline < now) {
        expired.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      depth_gauge_.Set(static_cast<double>(queue_.size()));
      for (auto& w : writers_) {
        if (w->in_flight == nullptr || w->in_flight_deadline >= now) continue;
        // Copies share each ticket's answered flag with the writer's.
        for (const auto& t : *w->in_flight) overdue.push_back(t.done);
        w->in_flight = nullptr;
      }
    }
    if (!expired.empty()) {
      spdlog::warn("event=ballots_expired_in_queue count={}", expired.size());
      ReplyAll(expired, "the primary database did not take the ballot in time");
    }
    if (!overdue.empty()) {
      // Sent, but neither committed nor refused by the deadline (a COMMIT waiting for a standby,
      // a connection that went silent): the ballot may yet count, so the answer says to retry
      // with the same key, which returns the original 201 if it did.
      spdlog::warn("event=batch_outcome_overdue ballots={}", overdue.size());
      VoteOutcome out;
      out.kind = VoteOutcome::Kind::kOutcomeUnknown;
      out.message = kOutcomeUnknown;
      for (auto& done : overdue) done(out);
    }
  }
}

bool IntakeQueue::Submit(VoteTicket& ticket) {
  bool first = false;
  bool full = false;
  // Both the writer and the reaper (at the deadline) may answer a ticket in flight; the first
  // answer wins and the other is dropped, so the caller still hears exactly once. Wrapped before
  // taking the lock: the allocation need not hold up the writers.
  auto answer_once = [answered = std::make_shared<std::atomic<bool>>(false),
                      done = std::move(ticket.done)](const VoteOutcome& o) {
    if (!answered->exchange(true)) done(o);
  };
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= options_.capacity) {
      ticket.done = std::move(answer_once);  // left to the caller, unused by the queue
      return false;
    }
    ticket.done = std::move(answer_once);
    queue_.push_back(std::move(ticket));
    first = queue_.size() == 1;
    full = queue_.size() == options_.max_batch;
    depth_gauge_.Set(static_cast<double>(queue_.size()));
  }
  // Wake a writer only when it has something new to do: an idle one when the queue stops being
  // empty, a lingering one when a batch is full. Notifying on every ballot woke the lingering
  // writer once per ballot only for it to go back to sleep (a futex wake and a context switch
  // per vote, and glibc's pthread_cond_signal then blocked the I/O thread).
  if (first) cv_.notify_one();
  if (full) full_cv_.notify_all();
  return true;
}

void IntakeQueue::Drain() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  full_cv_.notify_all();
  reaper_cv_.notify_all();
  for (auto& w : writers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  if (reaper_.joinable()) reaper_.join();
}

size_t IntakeQueue::depth() const {
  MutexLock lock(mu_);
  return queue_.size();
}

bool IntakeQueue::PrimaryOk(std::string* why) const {
  MutexLock lock(mu_);
  if (primary_ok_ || std::chrono::steady_clock::now() - primary_failed_at_ > kFailureMemory) {
    return true;
  }
  if (why) *why = primary_error_;
  return false;
}

std::vector<std::string> IntakeQueue::shards() const {
  std::vector<std::string> out;
  for (const auto& w : writers_) out.push_back(w->shard);
  return out;
}

void IntakeQueue::SetPrimaryStatus(bool ok, const std::string& why) {
  MutexLock lock(mu_);
  primary_ok_ = ok;
  primary_error_ = why;
  if (!ok) primary_failed_at_ = std::chrono::steady_clock::now();
}

void IntakeQueue::RunWriter(Writer& w) {
  while (true) {
    std::vector<VoteTicket> batch;
    bool leftover = false;
    {
      UniqueMutexLock lock(mu_);
      while (queue_.empty() && !stopping_) lock.Wait(cv_);
      if (queue_.empty()) return;  // stopping and drained
      if (queue_.size() < options_.max_batch && !stopping_ && options_.linger.count() > 0) {
        const auto until = std::chrono::steady_clock::now() + options_.linger;
        while (queue_.size() < options_.max_batch && !stopping_ &&
               lock.WaitUntil(full_cv_, until) == std::cv_status::no_timeout) {
        }
      }
      size_t n = std::min(queue_.size(), options_.max_batch);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      depth_gauge_.Set(static_cast<double>(queue_.size()));
      leftover = !queue_.empty();
    }
    // Submit wakes a writer only when the queue stops being empty; if we leave ballots behind,
    // hand them to an idle writer now rather than when we come back from the database.
    if (leftover) cv_.notify_one();
    if (!batch.empty()) Process(w, batch);
  }
}

void IntakeQueue::ReplyAll(std::vector<VoteTicket>& batch, const std::string& why,
                           VoteOutcome::Kind kind) {
  VoteOutcome out;
  out.kind = kind;
  out.message = why;
  for (auto& t : batch) t.done(out);
}

void IntakeQueue::Process(Writer& w, std::vector<VoteTicket>& batch) {
  auto now = std::chrono::steady_clock::now();
  std::vector<VoteTicket> live;
  std::vector<VoteTicket> expired;
  live.reserve(batch.size());
  for (auto& t : batch) (t.deadline < now ? expired : live).push_back(std::move(t));
  if (!expired.empty()) ReplyAll(expired, "the ballot waited too long to be committed");
  // Verifiable ballots are checked here, a batch at a time (one multi-scalar multiplication),
  // before anything is sent to the database.
  RejectUnverified(live);
  if (live.empty()) return;
  // From here on the reaper answers these tickets at their deadline if we have not: connecting
  // (up to connect_timeout per host) and committing may both stall.
  {
    MutexLock lock(mu_);
    w.in_flight = &live;
    w.in_flight_deadline = live.front().deadline;
    for (const auto& t : live) w.in_flight_deadline = std::min(w.in_flight_deadline, t.deadline);
  }
  struct Landed {
    IntakeQueue* q;
    Writer& w;
    ~Landed() {
      MutexLock lock(q->mu_);
      w.in_flight = nullptr;
    }
  } landed{this, w};

  if (!w.store) {
    auto store = store_factory_();
    if (!store.ok()) {
      SetPrimaryStatus(false, store.status().message());
      commit_failures_.Add();
      spdlog::warn("event=primary_unreachable shard={} error=\"{}\"", w.shard,
                   store.status().message());
      ReplyAll(live, "no primary database is reachable");
      // Do not spin against a dead primary; callers were told to retry later.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return;
    }
    w.store = std::move(*store);
    w.head.reset();
  }
  CommitAndReply(w, live);
}

namespace {
struct HashKey {
  size_t operator()(const VoterHash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};
}  // namespace

void IntakeQueue::CommitAndReply(Writer& w, std::vector<VoteTicket>& batch) {
  // The database decides between batches and regions; within a batch, the first ticket of a
  // voter goes to the database and later ones follow its outcome. Spoiled verifiable ballots
  // are not in the pollbook: they go to the board only.
  constexpr size_t kNoEntry = SIZE_MAX;
  const bool board = !batch.empty() && batch.front().ballot != nullptr;
  std::vector<PollbookEntry> entries;
  std::vector<size_t> entry_of(batch.size(), kNoEntry);
  std::vector<size_t> ticket_of;
  std::vector<std::optional<IdempotencyHash>> key_hash(batch.size());
  std::unordered_map<VoterHash, size_t, HashKey> first;
  for (size_t i = 0; i < batch.size(); ++i) {
    const VoteTicket& t = batch[i];
    if (t.ballot && t.ballot->kind == BallotKind::kSpoiled) continue;
    if (t.ballot) {
      key_hash[i] = TrackingIdempotency(t.ballot->tracking);
    } else if (t.idempotency_key) {
      key_hash[i] = hasher_.HashIdempotencyKey(*t.idempotency_key);
    }
    auto [it, inserted] = first.emplace(t.voter, entries.size());
    if (inserted) {
      entries.push_back({t.voter, key_hash[i]});
      ticket_of.push_back(i);
    }
    entry_of[i] = it->second;
  }

  TimePoint voted_at = std::chrono::time_point_cast<std::chrono::milliseconds>(Now());
  std::vector<Receipt> receipts(entries.size());
  std::vector<bool> on_batch(batch.size(), false);
  auto seal = [&](const std::vector<bool>& won) {
    if (board) return SealBoard(w, batch, ticket_of, won, on_batch);
    BatchSealer sealer(election_public_);
    BatchRandom random;
    SealedBatch b;
    b.shard = w.shard;
    b.seq = w.head->seq + 1;
    b.ephemeral_public = sealer.ephemeral_public();
    for (size_t e = 0; e < entries.size(); ++e) {
      if (!won[e]) continue;
      const VoteTicket& t = batch[ticket_of[e]];
      receipts[e] = t.idempotency_key ? hasher_.ReceiptFor(t.voter, *t.idempotency_key)
                                      : RandomReceipt(random);
      StoredBallot ballot;
      ballot.jurisdiction = election_.jurisdictions()[t.jurisdiction].code;
      ballot.receipt = receipts[e];
      ballot.sealed = sealer.Seal(election_.candidates()[t.candidate], random);
      b.ballots.push_back(std::move(ballot));
    }
    // Shuffle so that the stored order says nothing about arrival order (std::shuffle draws
    // unbiased indices from the batch's cryptographic random stream).
    std::shuffle(b.ballots.begin(), b.ballots.end(), random);
    std::vector<ChainedBallot> chained;
    chained.reserve(b.ballots.size());
    for (const auto& s : b.ballots) {
      chained.push_back({s.jurisdiction, &s.receipt, &s.sealed.nonce, s.sealed.ciphertext});
    }
    b.head = ChainNext(w.head->head, w.shard, b.seq, b.ephemeral_public, chained);
    return b;
  };

  Result<BatchCommit> result = Status::Unavailable("not attempted");
  ChainHash new_head{};
  bool stored = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!w.head) {
      auto head = w.store->OpenShard(w.shard);
      if (!head.ok()) {
        result = head.status();
        break;
      }
      w.head = *head;
    }
    auto start = std::chrono::steady_clock::now();
    auto seal_and_remember = [&](const std::vector<bool>& won) {
      std::fill(on_batch.begin(), on_batch.end(), false);
      SealedBatch b = seal(won);
      new_head = b.head;
      stored = !b.empty();
      return b;
    };
    result = w.store->CommitBatch(options_.region, voted_at, entries, *w.head, seal_and_remember);
    commit_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (result.ok() || result.status().code() != Code::kAborted) break;
    spdlog::warn("event=shard_moved shard={} error=\"{}\"", w.shard, result.status().message());
    w.head.reset();  // another writer moved our shard; reload its head and try once more
  }

  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == Code::kFailedPrecondition) {
      SetPrimaryStatus(true, "");
      ReplyAll(batch, "voting is closed", VoteOutcome::Kind::kClosed);
      return;
    }
    commit_failures_.Add();
    w.head.reset();
    if (s.code() == Code::kUnavailable || s.code() == Code::kDeadlineExceeded) {
      w.store.reset();  // reconnect next time (the primary may have moved)
    }
    SetPrimaryStatus(false, s.message());
    spdlog::warn("event=batch_failed shard={} ballots={} error=\"{}\"", w.shard, batch.size(),
                 s.message());
    if (s.code() == Code::kDeadlineExceeded) {
      ReplyAll(batch, kOutcomeUnknown, VoteOutcome::Kind::kOutcomeUnknown);
    } else {
      ReplyAll(batch, "the ballot could not be made durable");
    }
    return;
  }
  SetPrimaryStatus(true, "");
  const BatchCommit& commit = *result;
  if (!commit.already_on_board.empty()) {
    // Nothing was recorded: answer the ballots the board already holds, commit the others again.
    std::set<TrackingCode> held(commit.already_on_board.begin(), commit.already_on_board.end());
    auto is_held = [&](const VoteTicket& t) { return t.ballot && held.count(t.ballot->tracking); };
    for (auto& t : batch) {
      if (!is_held(t)) continue;
      VoteOutcome out;
      out.kind = VoteOutcome::Kind::kAlreadyOnBoard;
      out.tracking = t.ballot->tracking;
      t.done(out);
    }
    {
      // The reaper reads the batch in flight under mu_.
      MutexLock lock(mu_);
      std::erase_if(batch, is_held);
    }
    if (!batch.empty()) CommitAndReply(w, batch);
    return;
  }
  size_t winners = 0;
  for (bool b : commit.won) winners += b;
  if (stored) {
    w.head->seq += 1;
    w.head->head = new_head;
    batch_size_.Observe(static_cast<double>(winners));
  }

  for (size_t i = 0; i < batch.size(); ++i) {
    const VoteTicket& t = batch[i];
    const size_t e = entry_of[i];
    VoteOutcome out;
    if (e == kNoEntry) {  // a spoiled ballot
      out.kind = on_batch[i] ? VoteOutcome::Kind::kCounted : VoteOutcome::Kind::kAlreadyOnBoard;
      out.tracking = t.ballot->tracking;
      out.voted_at = voted_at;
      out.region = options_.region;
      batch[i].done(out);
      continue;
    }
    out.kind = VoteOutcome::Kind::kAlreadyVoted;
    std::optional<IdempotencyHash> recorded_key;
    if (commit.won[e]) {
      out.voted_at = voted_at;
      out.region = options_.region;
      recorded_key = entries[e].idempotency;
      if (ticket_of[e] == i) {
        out.kind = VoteOutcome::Kind::kCounted;
        out.receipt = receipts[e];
        if (t.ballot) out.tracking = t.ballot->tracking;
      }
    } else if (commit.existing[e]) {
      out.voted_at = commit.existing[e]->voted_at;
      out.region = commit.existing[e]->region;
      recorded_key = commit.existing[e]->idempotency;
    } else {
      out.kind = VoteOutcome::Kind::kUnavailable;
      out.message = "the pollbook lost track of this voter";
    }
    // A retry with the key of the counted ballot gets that ballot's answer again (for a
    // verifiable ballot: the same ballot, whose tracking code is the key; the server builds the
    // same ballot again for a POST /votes retry with the same Idempotency-Key).
    if (out.kind == VoteOutcome::Kind::kAlreadyVoted && key_hash[i] && recorded_key &&
        *key_hash[i] == *recorded_key) {
      out.kind = VoteOutcome::Kind::kCounted;
      if (t.ballot) {
        out.tracking = t.ballot->tracking;
      } else {
        out.receipt = hasher_.ReceiptFor(t.voter, *t.idempotency_key);
      }
    }
    batch[i].done(out);
  }
}

IdempotencyHash IntakeQueue::TrackingIdempotency(const TrackingCode& tracking) {
  IdempotencyHash h;
  std::copy_n(tracking.begin(), h.size(), h.begin());
  return h;
}

SealedBatch IntakeQueue::SealBoard(const Writer& w, const std::vector<VoteTicket>& batch,
                                   const std::vector<size_t>& ticket_of,
                                   const std::vector<bool>& won,
                                   std::vector<bool>& on_batch) const {
  SealedBatch b;
  b.shard = w.shard;
  b.seq = w.head->seq + 1;
  std::set<TrackingCode> seen;
  auto add = [&](size_t i) {
    const BallotSubmission& s = *batch[i].ballot;
    if (!seen.insert(s.tracking).second) return;  // the same ballot twice in one batch
    on_batch[i] = true;
    b.board.push_back(
        {s.kind, election_.jurisdictions()[s.jurisdiction].code, s.tracking, s.body, s.opening});
  };
  for (size_t e = 0; e < won.size(); ++e) {
    if (won[e]) add(ticket_of[e]);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].ballot->kind == BallotKind::kSpoiled) add(i);
  }
  // As with sealed ballots, the stored order says nothing about the order of arrival.
  BatchRandom random;
  std::shuffle(b.board.begin(), b.board.end(), random);
  std::vector<ChainItem> items;
  items.reserve(b.board.size());
  for (const auto& e : b.board) items.push_back({e.kind, e.tracking});
  b.head = verifiable::ChainNext(w.head->head, w.shard, static_cast<uint64_t>(b.seq), items);
  return b;
}

void IntakeQueue::RejectUnverified(std::vector<VoteTicket>& batch) {
  std::vector<const BallotSubmission*> submissions;
  std::vector<size_t> index;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].ballot) continue;
    submissions.push_back(batch[i].ballot.get());
    index.push_back(i);
  }
  if (submissions.empty()) return;
  const std::vector<Status> checks = VerifySubmissions(submissions);
  std::vector<bool> bad(batch.size(), false);
  size_t rejected = 0;
  for (size_t k = 0; k < checks.size(); ++k) {
    if (checks[k].ok()) continue;
    bad[index[k]] = true;
    ++rejected;
    VoteOutcome out;
    out.kind = VoteOutcome::Kind::kRejected;
    out.message = checks[k].message();
    batch[index[k]].done(out);
  }
  if (rejected == 0) return;
  std::vector<VoteTicket> kept;
  kept.reserve(batch.size() - rejected);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!bad[i]) kept.push_back(std::move(batch[i]));
  }
  batch = std::move(kept);
}

}  // namespace landslide
