#include "support/memory_ballot_store.h"

#include <thread>

namespace landslide {

class MemoryStore final : public BallotStore {
 public:
  explicit MemoryStore(MemoryBallotDb& db) : db_(db) {}

  Result<ShardHead> OpenShard(const std::string& shard) override {
    std::lock_guard lock(db_.mu_);
    return db_.shards_.try_emplace(shard, ShardHead{shard, 0, {}}).first->second;
  }

  Result<BatchCommit> CommitBatch(
      const std::string& region, TimePoint voted_at, const std::vector<PollbookEntry>& entries,
      const ShardHead& expected,
      const std::function<SealedBatch(const std::vector<bool>& won)>& seal) override {
    std::lock_guard lock(db_.mu_);  // one transaction at a time: serializable by construction
    BatchCommit out;
    out.won.assign(entries.size(), false);
    out.existing.resize(entries.size());
    if (db_.closed_) return Status::FailedPrecondition("voting is closed");
    for (size_t i = 0; i < entries.size(); ++i) {
      auto it = db_.pollbook_.find(entries[i].voter);
      if (it == db_.pollbook_.end()) {
        out.won[i] = true;
      } else {
        out.existing[i] = it->second;
      }
    }
    const ShardHead& head = db_.shards_[expected.shard];
    SealedBatch b = seal(out.won);
    if (b.empty()) return out;
    if (head.seq != expected.seq || head.head != expected.head) {
      return Status::Aborted("shard moved");
    }
    for (const auto& e : b.board) {
      if (db_.board_.count(e.tracking)) out.already_on_board.push_back(e.tracking);
    }
    if (!out.already_on_board.empty()) {
      out.won.assign(entries.size(), false);
      out.existing.assign(entries.size(), std::nullopt);
      return out;
    }
    for (const auto& e : b.board) db_.board_.insert(e.tracking);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (out.won[i]) db_.pollbook_[entries[i].voter] = {voted_at, region, entries[i].idempotency};
    }
    db_.shards_[b.shard] = {b.shard, b.seq, b.head};
    db_.batches_[{b.shard, b.seq}] = std::move(b);
    return out;
  }

 private:
  MemoryBallotDb& db_;
};

class MemorySource final : public BatchSource {
 public:
  explicit MemorySource(MemoryBallotDb& db) : db_(db) {}
  Result<std::vector<ShardHead>> Heads() override {
    std::lock_guard lock(db_.mu_);
    std::vector<ShardHead> out;
    for (const auto& [name, h] : db_.shards_) out.push_back(h);
    return out;
  }
  Result<std::vector<SealedBatch>> ReadBatches(const std::string& shard, int64_t after_seq,
                                               int64_t up_to_seq, int limit) override {
    std::lock_guard lock(db_.mu_);
    std::vector<SealedBatch> out;
    for (int64_t s = after_seq + 1; s <= up_to_seq && static_cast<int>(out.size()) < limit; ++s) {
      auto it = db_.batches_.find({shard, s});
      if (it == db_.batches_.end()) break;
      out.push_back(it->second);
    }
    return out;
  }

 private:
  MemoryBallotDb& db_;
};

void MemoryBallotDb::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

std::unique_ptr<BallotStore> MemoryBallotDb::NewStore() {
  return std::make_unique<MemoryStore>(*this);
}
std::unique_ptr<BatchSource> MemoryBallotDb::NewSource() {
  return std::make_unique<MemorySource>(*this);
}

size_t MemoryBallotDb::pollbook_size() const {
  std::lock_guard lock(mu_);
  return pollbook_.size();
}

size_t MemoryBallotDb::ballot_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [k, b] : batches_) n += b.ballots.size();
  return n;
}

bool MemoryBallotDb::TamperWithBallot(const std::string& shard, int64_t seq) {
  std::lock_guard lock(mu_);
  auto it = batches_.find({shard, seq});
  if (it == batches_.end() || it->second.ballots.empty()) return false;
  it->second.ballots[0].sealed.ciphertext[0] ^= 1;
  return true;
}

bool MemoryBallotDb::ForgetLastBatch(const std::string& shard) {
  std::lock_guard lock(mu_);
  auto head = shards_.find(shard);
  if (head == shards_.end() || head->second.seq == 0) return false;
  batches_.erase({shard, head->second.seq});
  auto before = batches_.find({shard, head->second.seq - 1});
  head->second.head = before == batches_.end() ? ChainHash{} : before->second.head;
  head->second.seq -= 1;
  return true;
}

namespace {

class FaultyStore final : public BallotStore {
 public:
  FaultyStore(std::unique_ptr<BallotStore> inner, std::shared_ptr<Faults> faults,
              std::shared_ptr<std::mutex> mu)
      : inner_(std::move(inner)), faults_(std::move(faults)), mu_(std::move(mu)) {}

  Result<ShardHead> OpenShard(const std::string& shard) override {
    return inner_->OpenShard(shard);
  }

  Result<BatchCommit> CommitBatch(
      const std::string& region, TimePoint voted_at, const std::vector<PollbookEntry>& entries,
      const ShardHead& expected,
      const std::function<SealedBatch(const std::vector<bool>& won)>& seal) override {
    bool lose_ack = false;
    std::chrono::milliseconds stall{0};
    {
      std::lock_guard lock(*mu_);
      stall = faults_->stall_commit;
      if (faults_->fail_before_commit > 0) {
        --faults_->fail_before_commit;
        return Status::Unavailable("injected: connection refused");
      }
      if (faults_->lose_commit_ack > 0) {
        --faults_->lose_commit_ack;
        lose_ack = true;
      }
    }
    std::this_thread::sleep_for(stall);
    auto r = inner_->CommitBatch(region, voted_at, entries, expected, seal);
    if (lose_ack && r.ok())
      return Status::DeadlineExceeded("injected: commit acknowledgement lost");
    return r;
  }

 private:
  std::unique_ptr<BallotStore> inner_;
  std::shared_ptr<Faults> faults_;
  std::shared_ptr<std::mutex> mu_;
};

}  // namespace

std::unique_ptr<BallotStore> MakeFaultyStore(std::unique_ptr<BallotStore> inner,
                                             std::shared_ptr<Faults> faults,
                                             std::shared_ptr<std::mutex> mu) {
  return std::make_unique<FaultyStore>(std::move(inner), std::move(faults), std::move(mu));
}

}  // namespace landslide
