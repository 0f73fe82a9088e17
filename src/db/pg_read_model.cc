#include "db/pg_read_model.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include "common/hex.h"
#include "common/thread_annotations.h"
#include "db/pg.h"
#include "db/registry_store.h"
#include "voting/verifiable_election.h"

namespace landslide::db {

namespace {

constexpr std::chrono::seconds kConnectTimeout{2};

constexpr std::string_view kBoardColumns =
    "SELECT b.kind, b.jurisdiction, b.shard, b.seq, t.head, b.body, "
    "       coalesce(b.opening, ''::bytea), b.tracking, b.position "
    "FROM board b JOIN batches t USING (shard, seq) ";

Result<BoardBallotInfo> BoardRow(const PgResult& r, int i) {
  BoardBallotInfo info;
  info.kind = r.GetInt(i, 0) == 2 ? BallotKind::kSpoiled : BallotKind::kCast;
  info.jurisdiction = std::string(r.Get(i, 1));
  info.shard = std::string(r.Get(i, 2));
  info.batch = r.GetInt(i, 3);
  if (!r.GetBytesInto(i, 4, info.chain) || !r.GetBytesInto(i, 7, info.tracking)) {
    return Status::Internal("a malformed board row");
  }
  info.body = r.GetBytes(i, 5);
  info.opening = r.GetBytes(i, 6);
  info.position = static_cast<int32_t>(r.GetInt(i, 8));
  return info;
}

class PgReadModel final : public ReadModel {
 public:
  explicit PgReadModel(ReadModelOptions options) : options_(std::move(options)) {
    for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { Run(); });
  }
  ~PgReadModel() override {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void FindReceipt(const Receipt& receipt,
                   std::function<void(Result<std::optional<ReceiptInfo>>)> done) override {
    Post([receipt, done = std::move(done)](PgConnection* conn, const Status& st) {
      if (!st.ok()) return done(st);
      auto r = conn->ExecParams(
          "SELECT b.shard, b.seq, t.head FROM ballots b JOIN batches t USING (shard, seq) "
          "WHERE b.receipt = $1",
          {ByteaParam(receipt)});
      if (!r.ok()) return done(r.status());
      if (r->rows() == 0) return done(std::optional<ReceiptInfo>());
      ReceiptInfo info;
      info.shard = std::string(r->Get(0, 0));
      info.batch = r->GetInt(0, 1);
      auto head = r->GetBytes(0, 2);
      if (head.size() == info.chain.size())
        std::memcpy(info.chain.data(), head.data(), head.size());
      done(std::optional<ReceiptInfo>(std::move(info)));
    });
  }

  void FindBoardBallot(const TrackingCode& tracking,
                       std::function<void(Result<std::optional<BoardBallotInfo>>)> done) override {
    Post([tracking, done = std::move(done)](PgConnection* conn, const Status& st) {
      if (!st.ok()) return done(st);
      auto r = conn->ExecParams(std::string(kBoardColumns) + "WHERE b.tracking = $1",
                                {ByteaParam(tracking)});
      if (!r.ok()) return done(r.status());
      if (r->rows() == 0) return done(std::optional<BoardBallotInfo>());
      auto info = BoardRow(*r, 0);
      if (!info.ok()) return done(info.status());
      done(std::optional<BoardBallotInfo>(std::move(*info)));
    });
  }

  void ListBoard(BallotKind kind, const std::optional<BoardCursor>& after, int limit,
                 std::function<void(Result<std::vector<BoardBallotInfo>>)> done) override {
    Post([kind, after, limit, done = std::move(done)](PgConnection* conn, const Status& st) {
      if (!st.ok()) return done(st);
      // The primary key's order: the index answers the row comparison.
      auto r = conn->ExecPrepared(
          std::string(kBoardColumns) +
              "WHERE b.kind = $1 AND (b.shard, b.seq, b.position) > ($2, $3, $4) "
              "ORDER BY b.shard, b.seq, b.position LIMIT $5",
          {std::to_string(static_cast<int>(kind)), after ? after->shard : "",
           std::to_string(after ? after->batch : -1), std::to_string(after ? after->position : -1),
           std::to_string(limit)});
      if (!r.ok()) return done(r.status());
      std::vector<BoardBallotInfo> out;
      out.reserve(static_cast<size_t>(r->rows()));
      for (int i = 0; i < r->rows(); ++i) {
        auto info = BoardRow(*r, i);
        if (!info.ok()) return done(info.status());
        out.push_back(std::move(*info));
      }
      done(std::move(out));
    });
  }

  void FindVote(const VoterHash& voter,
                std::function<void(Result<std::optional<TimePoint>>)> done) override {
    Post([voter, done = std::move(done)](PgConnection* conn, const Status& st) {
      if (!st.ok()) return done(st);
      auto r = conn->ExecParams(
          "SELECT (extract(epoch FROM voted_at) * 1000000)::bigint FROM pollbook "
          "WHERE voter_hash = $1",
          {ByteaParam(voter)});
      if (!r.ok()) return done(r.status());
      if (r->rows() == 0) return done(std::optional<TimePoint>());
      return done(std::optional<TimePoint>(TimePoint(std::chrono::microseconds(r->GetInt(0, 0)))));
    });
  }

 private:
  using Job = std::function<void(PgConnection*, const Status&)>;

  void Post(Job job) {
    {
      MutexLock lock(mu_);
      if (jobs_.size() < options_.max_queued && !stopping_) {
        jobs_.push_back(std::move(job));
        cv_.notify_one();
        return;
      }
    }
    job(nullptr, Status::ResourceExhausted("too many look-ups are waiting"));
  }

  void Run() {
    std::unique_ptr<PgConnection> conn;
    while (true) {
      Job job;
      {
        UniqueMutexLock lock(mu_);
        while (!stopping_ && jobs_.empty()) lock.Wait(cv_);
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      if (!conn || conn->IsBroken()) {
        conn.reset();
        auto c = PgConnection::Connect(options_.replica_conninfo, kConnectTimeout);
        if (!c.ok()) {
          job(nullptr, c.status());
          continue;
        }
        conn = std::move(*c);
      }
      job(conn.get(), Status::Ok());
    }
  }

  const ReadModelOptions options_;
  Mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

class PgRegionMonitor final : public RegionMonitor {
 public:
  PgRegionMonitor(std::string primary, std::string replica, const Election& election,
                  RegistryHolder& registry, std::chrono::milliseconds interval)
      : primary_conninfo_(std::move(primary)),
        replica_conninfo_(std::move(replica)),
        election_(election),
        registry_(registry),
        interval_(interval) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PgRegionMonitor() override {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  ProbeStatus Primary() const override {
    MutexLock lock(mu_);
    return primary_;
  }
  ProbeStatus Replica() const override {
    MutexLock lock(mu_);
    return replica_;
  }
  void WaitFirstPass(std::chrono::milliseconds timeout) override {
    UniqueMutexLock lock(mu_);
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (passes_ == 0 && lock.WaitUntil(cv_, until) == std::cv_status::no_timeout) {
    }
  }

 private:
  static ProbeStatus Probe(const std::string& conninfo, std::unique_ptr<PgConnection>& conn,
                           const char* sql, const std::function<Status(const PgResult&)>& check) {
    if (!conn || conn->IsBroken()) {
      conn.reset();
      auto c = PgConnection::Connect(conninfo, kConnectTimeout);
      if (!c.ok()) return {false, c.status().message()};
      conn = std::move(*c);
    }
    auto r = conn->Exec(sql);
    if (!r.ok()) return {false, r.status().message()};
    Status s = check(*r);
    return {s.ok(), s.message()};
  }

  // A verifiable election's manifest, stored by `voters import` with the registry.
  Status LoadManifest(PgConnection& replica) {
    auto r = replica.Exec("SELECT bytes FROM manifest WHERE id = 1");
    if (!r.ok()) return r.status();
    // None before the first import: the region is healthy and answers ballots 503 meanwhile.
    if (r->rows() != 1) return Status::Ok();
    const std::vector<uint8_t> bytes = r->GetBytes(0, 0);
    if (bytes.empty()) return Status::Internal("malformed manifest row");
    auto election =
        VerifiableElection::FromManifest(election_, std::string(bytes.begin(), bytes.end()));
    if (!election.ok()) return election.status();
    if (!registry_.verifiable() ||
        registry_.verifiable()->manifest_bytes() != (*election)->manifest_bytes()) {
      spdlog::info("event=manifest_loaded sha256={}", ToHex((*election)->manifest_hash()));
      registry_.SetVerifiable(std::move(*election));
    }
    return Status::Ok();
  }

  void Run() {
    std::unique_ptr<PgConnection> primary, replica;
    while (true) {
      ProbeStatus p =
          Probe(primary_conninfo_, primary, "SELECT pg_is_in_recovery()", [](const PgResult& r) {
            if (r.rows() == 1 && r.Get(0, 0) == "f") return Status::Ok();
            return Status::Unavailable("the primary is in recovery (a standby)");
          });
      int64_t generation = -1;
      ProbeStatus s = Probe(replica_conninfo_, replica,
                            "SELECT generation, (SELECT closed_at IS NOT NULL FROM election_state "
                            "WHERE id = 1) FROM registry_meta WHERE id = 1",
                            [&](const PgResult& r) {
                              if (r.rows() == 1) {
                                generation = r.GetInt(0, 0);
                                if (r.Get(0, 1) == "t" && !registry_.closed()) {
                                  spdlog::info("event=election_closed");
                                  registry_.set_closed(true);
                                }
                              }
                              return Status::Ok();
                            });
      if (s.ok && generation >= 0 && generation != registry_.generation()) {
        auto index = LoadRegistryIndex(*replica, election_);
        if (index.ok() && election_.verifiable()) {
          Status loaded = LoadManifest(*replica);
          if (!loaded.ok()) index = loaded;
        }
        if (index.ok()) {
          spdlog::info("event=registry_loaded voters={} generation={}", index->size(), generation);
          registry_.Set(std::make_shared<const RegistryIndex>(std::move(*index)));
          registry_.set_generation(generation);
        } else {
          s = {false, "loading the registry: " + index.status().message()};
        }
      }
      UniqueMutexLock lock(mu_);
      if (p.ok != primary_.ok) {
        spdlog::info("event=primary_probe ok={} error=\"{}\"", p.ok, p.error);
      }
      primary_ = p;
      replica_ = s;
      ++passes_;
      cv_.notify_all();
      const auto until = std::chrono::steady_clock::now() + interval_;
      while (!stopping_ && lock.WaitUntil(cv_, until) == std::cv_status::no_timeout) {
      }
      if (stopping_) return;
    }
  }

  const std::string primary_conninfo_;
  const std::string replica_conninfo_;
  const Election& election_;
  RegistryHolder& registry_;
  const std::chrono::milliseconds interval_;
  mutable Mutex mu_;
  std::condition_variable cv_;
  ProbeStatus primary_ GUARDED_BY(mu_);
  ProbeStatus replica_ GUARDED_BY(mu_);
  int passes_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ReadModel> MakePgReadModel(const ReadModelOptions& options) {
  return std::make_unique<PgReadModel>(options);
}

std::unique_ptr<RegionMonitor> StartRegionMonitor(const std::string& primary_conninfo,
                                                  const std::string& replica_conninfo,
                                                  const Election& election,
                                                  RegistryHolder& registry,
                                                  std::chrono::milliseconds interval) {
  return std::make_unique<PgRegionMonitor>(primary_conninfo, replica_conninfo, election, registry,
                                           interval);
}

}  // namespace landslide::db
