#include "voting/tallier.h"

#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "crypto/verifiable_ballot.h"

namespace landslide {

Tallier::Tallier(const Election& election, const std::array<uint8_t, 32>& election_secret,
                 BatchSourceFactory source_factory, std::chrono::milliseconds poll_interval,
                 MetricsRegistry& metrics)
    : election_(election),
      opener_(election_secret),
      source_factory_(std::move(source_factory)),
      poll_interval_(poll_interval),
      lag_gauge_(metrics.AddGauge("landslide_tallier_lag_batches",
                                  "Committed batches the tallier has not counted yet")),
      counted_(metrics.AddCounter("landslide_tallier_ballots_total",
                                  "Ballots opened and counted by this region's tallier")),
      tally_(election),
      cast_(election.jurisdictions().size(), 0) {
  auto first = std::make_shared<TallySnapshot>(election);
  first->error = "the tallier has not read the standby yet";
  first->cast.assign(election.jurisdictions().size(), 0);
  snapshot_.store(first);
}

Tallier::~Tallier() { Stop(); }

void Tallier::Start() {
  thread_ = std::thread([this] {
    while (true) {
      Status s = Pass();
      Publish(s);
      UniqueMutexLock lock(mu_);
      // Caught up: wait a poll interval. Behind: go straight on.
      if (lag_ == 0 || !s.ok()) {
        const auto until = std::chrono::steady_clock::now() + poll_interval_;
        while (!stopping_ && lock.WaitUntil(cv_, until) == std::cv_status::no_timeout) {
        }
      }
      if (stopping_) return;
    }
  });
}

void Tallier::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Tallier::PollOnce() {
  Status s;
  do {
    s = Pass();
    Publish(s);
  } while (s.ok() && lag_ > 0);
  return s;
}

Status Tallier::Pass() {
  if (!source_) {
    auto src = source_factory_();
    if (!src.ok()) return src.status();
    source_ = std::move(*src);
  }
  auto heads = source_->Heads();
  if (!heads.ok()) {
    source_.reset();
    return heads.status();
  }
  // A demoted primary that committed a batch only locally (its COMMIT was waiting for a standby
  // that a partition cut off) serves that batch as a standby until Patroni rewinds it; a tallier
  // reading it then counted a batch that the cluster's history does not have. When the history
  // under a counted head changes, count everything again.
  if (!broken_chain_) {
    for (const ShardHead& remote : *heads) {
      auto it = heads_.find(remote.shard);
      if (it == heads_.end()) continue;
      const ShardHead& local = it->second;
      if (remote.seq < local.seq || (remote.seq == local.seq && remote.head != local.head)) {
        StartOver("shard " + remote.shard + " is at batch " + std::to_string(remote.seq) +
                  " on the standby, and batch " + std::to_string(local.seq) +
                  " was counted: its history was rewound");
        break;
      }
    }
  }
  int64_t lag = 0;
  constexpr int kBatchesPerRead = 256;
  for (const ShardHead& remote : *heads) {
    ShardHead& local =
        heads_.try_emplace(remote.shard, ShardHead{remote.shard, 0, {}}).first->second;
    if (remote.seq <= local.seq) continue;
    if (broken_chain_) {
      lag += remote.seq - local.seq;
      continue;
    }
    auto batches = source_->ReadBatches(remote.shard, local.seq, remote.seq, kBatchesPerRead);
    if (!batches.ok()) {
      source_.reset();
      return batches.status();
    }
    for (const SealedBatch& b : *batches) {
      Status s = CountBatch(b, local);
      if (!s.ok() && !recounted_after_failure_) {
        // The batch may follow a counted batch that was rewound away: recount once.
        recounted_after_failure_ = true;
        StartOver(s.message());
        return Status::Unavailable("recounting from the first batch: " + s.message());
      }
      if (!s.ok()) {
        broken_chain_ = true;
        recounting_ = false;  // publish what verified, and why the rest is not counted
        broken_why_ = s.message();
        spdlog::error("event=chain_broken shard={} seq={} error=\"{}\"", b.shard, b.seq,
                      s.message());
        break;
      }
    }
    lag += remote.seq - local.seq;
  }
  lag_ = lag;
  if (broken_chain_) return Status::Internal(broken_why_);
  if (lag_ == 0) {
    recounting_ = false;
    recounted_after_failure_ = false;
  }
  return Status::Ok();
}

void Tallier::StartOver(const std::string& why) {
  spdlog::warn("event=tallier_recount reason=\"{}\"", why);
  tally_ = Tally(election_);
  cast_.assign(election_.jurisdictions().size(), 0);
  spoiled_ = 0;
  heads_.clear();
  lag_ = 0;
  recounting_ = true;
  ++version_;
}

Status Tallier::CountBoardBatch(const SealedBatch& b, ShardHead& head) {
  std::vector<ChainItem> items;
  items.reserve(b.board.size());
  for (const auto& e : b.board) items.push_back({e.kind, e.tracking});
  if (verifiable::ChainNext(head.head, b.shard, static_cast<uint64_t>(b.seq), items) != b.head) {
    return Status::Internal("hash chain of shard " + b.shard + " breaks at batch " +
                            std::to_string(b.seq));
  }
  std::vector<JurisdictionIndex> cast;
  int64_t spoiled = 0;
  for (const auto& e : b.board) {
    auto j = election_.FindJurisdiction(e.jurisdiction);
    if (!j) {
      return Status::Internal("a ballot of batch " + b.shard + "/" + std::to_string(b.seq) +
                              " is for no jurisdiction of the election");
    }
    if (e.kind == BallotKind::kCast) {
      cast.push_back(*j);
    } else {
      ++spoiled;
    }
  }
  for (JurisdictionIndex j : cast) ++cast_[j];
  spoiled_ += spoiled;
  counted_.Add(static_cast<int64_t>(cast.size()));
  head.seq = b.seq;
  head.head = b.head;
  ++version_;
  return Status::Ok();
}

Status Tallier::CountBatch(const SealedBatch& b, ShardHead& head) {
  if (b.seq != head.seq + 1) {
    return Status::Internal("shard " + b.shard + " jumps from batch " + std::to_string(head.seq) +
                            " to " + std::to_string(b.seq));
  }
  if (election_.verifiable()) return CountBoardBatch(b, head);
  std::vector<ChainedBallot> chained;
  chained.reserve(b.ballots.size());
  for (const auto& s : b.ballots) {
    chained.push_back({s.jurisdiction, &s.receipt, &s.sealed.nonce, s.sealed.ciphertext});
  }
  ChainHash expect = ChainNext(head.head, b.shard, b.seq, b.ephemeral_public, chained);
  if (expect != b.head) {
    return Status::Internal("hash chain of shard " + b.shard + " breaks at batch " +
                            std::to_string(b.seq));
  }
  // Open everything first so a bad ballot leaves the tallies untouched.
  std::vector<std::pair<JurisdictionIndex, CandidateIndex>> votes;
  votes.reserve(b.ballots.size());
  opener_.UseBatch(b.ephemeral_public);
  for (const auto& s : b.ballots) {
    auto j = election_.FindJurisdiction(s.jurisdiction);
    auto choice = opener_.Open(s.sealed.nonce, s.sealed.ciphertext);
    if (!j || !choice) {
      return Status::Internal("a ballot of batch " + b.shard + "/" + std::to_string(b.seq) +
                              " cannot be opened");
    }
    auto c = election_.FindCandidate(*choice);
    if (!c || !election_.OnBallot(*j, *c)) {
      return Status::Internal("a ballot of batch " + b.shard + "/" + std::to_string(b.seq) +
                              " names a candidate not on its ballot");
    }
    votes.emplace_back(*j, *c);
  }
  for (auto [j, c] : votes) tally_.Add(j, c);
  counted_.Add(static_cast<int64_t>(votes.size()));
  head.seq = b.seq;
  head.head = b.head;
  ++version_;
  return Status::Ok();
}

void Tallier::Publish(const Status& pass) {
  if (recounting_) return;
  auto snap = std::make_shared<TallySnapshot>(election_);
  snap->tally = tally_;
  snap->cast = cast_;
  snap->spoiled = spoiled_;
  for (const auto& [name, h] : heads_) snap->heads.push_back(h);
  snap->as_of = Now();
  snap->lag_batches = lag_;
  snap->ok = pass.ok();
  snap->error = pass.message();
  snap->version = version_;
  lag_gauge_.Set(static_cast<double>(lag_));
  snapshot_.store(std::move(snap));
}

}  // namespace landslide
