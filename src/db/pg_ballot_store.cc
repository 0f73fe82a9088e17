#include "db/pg_ballot_store.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>
#include <unordered_map>

#include "common/hex.h"
#include "db/schema.h"

namespace landslide::db {

namespace {

struct VoterHashKey {
  size_t operator()(const VoterHash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

// A write that changes nothing but makes WAL, on a row only this writer updates.
constexpr const char* kTouchShard = "UPDATE shards SET seq = seq WHERE shard = $1";

class PgBallotStore final : public BallotStore {
 public:
  explicit PgBallotStore(PgStoreOptions options) : options_(std::move(options)) {}

  Status Connect() {
    conn_.reset();
    auto c = PgConnection::Connect(WithConnParam(options_.conninfo, "tcp_user_timeout",
                                                 std::to_string(options_.tcp_user_timeout.count())),
                                   options_.connect_timeout);
    if (!c.ok()) return c.status();
    conn_ = std::move(*c);
    return Status::Ok();
  }

  Result<ShardHead> OpenShard(const std::string& shard) override {
    LANDSLIDE_RETURN_IF_ERROR(EnsureConnected());
    auto ins = conn_->ExecParams(
        "INSERT INTO shards (shard, seq, head) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
        {shard, ByteaParam(ChainHash{})});
    if (!ins.ok()) return DropIfBroken(ins.status());
    auto r = conn_->ExecParams("SELECT seq, head FROM shards WHERE shard = $1", {shard});
    if (!r.ok()) return DropIfBroken(r.status());
    if (r->rows() != 1) return Status::Internal("shard " + shard + " vanished");
    ShardHead head;
    head.shard = shard;
    head.seq = r->GetInt(0, 0);
    if (!r->GetBytesInto(0, 1, head.head)) {
      return Status::Internal("shard " + shard + " has a malformed head");
    }
    return head;
  }

  Result<BatchCommit> CommitBatch(
      const std::string& region, TimePoint voted_at, const std::vector<PollbookEntry>& entries,
      const ShardHead& expected,
      const std::function<SealedBatch(const std::vector<bool>& won)>& seal) override {
    LANDSLIDE_RETURN_IF_ERROR(EnsureConnected());
    BatchCommit out;
    out.won.assign(entries.size(), false);
    out.existing.resize(entries.size());

    // Statements before COMMIT: any failure means nothing was recorded.
    auto begin = conn_->Exec("BEGIN");
    if (!begin.ok()) return DropIfBroken(begin.status());
    // `landslide close` takes this row FOR UPDATE: it waits for batches under way, and no batch
    // after it commits.
    auto state = conn_->ExecPrepared(
        "SELECT closed_at IS NOT NULL FROM election_state WHERE id = 1 FOR KEY SHARE", {});
    if (!state.ok()) return Abort(state.status());
    if (state->rows() == 1 && state->Get(0, 0) == "t") {
      return Abort(Status::FailedPrecondition("voting is closed"));
    }
    // Every writer inserts in voter-hash order, so two transactions with overlapping voters
    // wait for each other instead of deadlocking.
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return entries[a].voter < entries[b].voter; });
    std::vector<std::span<const uint8_t>> voters;
    std::string idems = "{";
    for (size_t k = 0; k < order.size(); ++k) {
      const PollbookEntry& e = entries[order[k]];
      voters.emplace_back(e.voter);
      if (k) idems.push_back(',');
      idems += '"';
      if (e.idempotency) AppendHex(*e.idempotency, idems);
      idems += '"';
    }
    idems += '}';
    std::string voter_array = HexArrayParam(voters);
    auto ins = conn_->ExecPrepared(
        "INSERT INTO pollbook (voter_hash, voted_at, region, idempotency_hash) "
        "SELECT decode(v, 'hex'), to_timestamp($2::double precision / 1000000), $3, "
        "       nullif(decode(i, 'hex'), ''::bytea) "
        "FROM unnest($1::text[], $4::text[]) WITH ORDINALITY AS t(v, i, ord) "
        "ORDER BY ord ON CONFLICT (voter_hash) DO NOTHING RETURNING voter_hash",
        {voter_array, std::to_string(voted_at.time_since_epoch().count()), region, idems});
    if (!ins.ok()) return Abort(ins.status());
    std::unordered_map<VoterHash, size_t, VoterHashKey> index;
    for (size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].voter, i);
    size_t winners = 0;
    for (int row = 0; row < ins->rows(); ++row) {
      VoterHash h;
      if (!ins->GetBytesInto(row, 0, h)) return Abort(Status::Internal("bad voter hash"));
      auto it = index.find(h);
      if (it == index.end()) return Abort(Status::Internal("pollbook returned a stranger"));
      out.won[it->second] = true;
      ++winners;
    }
    if (winners < entries.size()) {
      std::vector<std::span<const uint8_t>> losers;
      for (size_t i = 0; i < entries.size(); ++i) {
        if (!out.won[i]) losers.emplace_back(entries[i].voter);
      }
      auto r = conn_->ExecPrepared(
          "SELECT voter_hash, (extract(epoch FROM voted_at) * 1000000)::bigint, region, "
          "       idempotency_hash "
          "FROM pollbook WHERE voter_hash IN (SELECT decode(v, 'hex') FROM unnest($1::text[]) v)",
          {HexArrayParam(losers)});
      if (!r.ok()) return Abort(r.status());
      for (int row = 0; row < r->rows(); ++row) {
        VoterHash h;
        if (!r->GetBytesInto(row, 0, h)) return Abort(Status::Internal("bad voter hash"));
        auto it = index.find(h);
        if (it == index.end()) continue;
        RecordedVote v;
        v.voted_at = TimePoint(std::chrono::microseconds(r->GetInt(row, 1)));
        v.region = std::string(r->Get(row, 2));
        if (!r->IsNull(row, 3)) {
          IdempotencyHash ih;
          if (r->GetBytesInto(row, 3, ih)) v.idempotency = ih;
        }
        out.existing[it->second] = std::move(v);
      }
    }
    SealedBatch batch = seal(out.won);
    if (!batch.empty()) {
      if (batch.seq != expected.seq + 1 || batch.shard != expected.shard) {
        return Abort(Status::Internal("sealed batch does not follow the shard head"));
      }
      Status s = InsertBatch(batch, expected, out.already_on_board);
      if (!s.ok()) return Abort(s);
      if (!out.already_on_board.empty()) {
        Status rolled_back = Abort(Status::Ok());
        if (!rolled_back.ok()) return rolled_back;
        out.won.assign(entries.size(), false);
        out.existing.assign(entries.size(), std::nullopt);
        return out;
      }
    } else {
      // The ballots read back above may belong to a transaction whose wait for synchronous
      // replication was cancelled: visible here, yet on the primary only. Writing WAL makes this
      // COMMIT wait until the standby has everything before it, those ballots included.
      auto touch = conn_->ExecParams(kTouchShard, {expected.shard});
      if (!touch.ok()) return Abort(touch.status());
    }
    (void)conn_->TakeWarning();
    auto commit = conn_->Exec("COMMIT");
    if (commit.ok()) {
      std::optional<std::string> warning = conn_->TakeWarning();
      if (!warning) return out;
      // "canceling wait for synchronous replication": committed here, maybe nowhere else.
      Status replicated = ConfirmReplicated(expected.shard, *warning);
      if (!replicated.ok()) return replicated;
      return out;
    }
    if (batch.empty()) return DropIfBroken(commit.status());  // nothing was written either way
    // The COMMIT may or may not have taken effect: find out from the database, never guess.
    Result<bool> committed = ResolveCommit(batch);
    if (!committed.ok()) return committed.status();
    if (*committed) return out;
    return Status::Unavailable("the batch was not committed: " + commit.status().message());
  }

 private:
  Status EnsureConnected() {
    if (conn_ && !conn_->IsBroken()) return Status::Ok();
    return Connect();
  }

  // Drops a broken connection so the next call reconnects.
  Status DropIfBroken(const Status& s) {
    if (conn_ && conn_->IsBroken()) conn_.reset();
    return s;
  }
  Status Abort(const Status& s) {
    if (conn_ && !conn_->IsBroken()) {
      auto r = conn_->Exec("ROLLBACK");
      if (!r.ok() && s.ok()) return DropIfBroken(r.status());
    }
    return DropIfBroken(s);
  }

  // Stores the batch and moves the shard head. Board entries whose tracking code the board
  // already holds are listed in `on_board` (and the caller rolls back).
  Status InsertBatch(const SealedBatch& b, const ShardHead& expected,
                     std::vector<TrackingCode>& on_board) {
    std::string seq = std::to_string(b.seq);
    auto r = conn_->ExecPrepared(
        "INSERT INTO batches (shard, seq, ballot_count, ephemeral_public, head) "
        "VALUES ($1, $2, $3, $4, $5)",
        {b.shard, seq, std::to_string(b.ballots.size() + b.board.size()),
         ByteaParam(b.ephemeral_public), ByteaParam(b.head)});
    if (!r.ok()) {
      return r.status().code() == Code::kAlreadyExists ? Status::Aborted(r.status().message())
                                                       : r.status();
    }
    if (!b.board.empty()) {
      LANDSLIDE_RETURN_IF_ERROR(InsertBoard(b, on_board));
      if (!on_board.empty()) return Status::Ok();
      return MoveHead(b, expected);
    }
    std::vector<std::string_view> jurisdictions;
    std::vector<std::span<const uint8_t>> nonces, sealed, receipts;
    for (const auto& ballot : b.ballots) {
      jurisdictions.push_back(ballot.jurisdiction);
      nonces.emplace_back(ballot.sealed.nonce);
      sealed.emplace_back(ballot.sealed.ciphertext);
      receipts.emplace_back(ballot.receipt);
    }
    r = conn_->ExecPrepared(
        "INSERT INTO ballots (shard, seq, position, jurisdiction, nonce, sealed, receipt) "
        "SELECT $1, $2, (ord - 1)::int, j, decode(n, 'hex'), decode(s, 'hex'), decode(r, 'hex') "
        "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY "
        "     AS t(j, n, s, r, ord)",
        {b.shard, seq, TextArrayParam(jurisdictions), HexArrayParam(nonces), HexArrayParam(sealed),
         HexArrayParam(receipts)});
    if (!r.ok()) return r.status();
    return MoveHead(b, expected);
  }

  Status InsertBoard(const SealedBatch& b, std::vector<TrackingCode>& on_board) {
    std::vector<std::string> kinds;
    std::vector<std::string_view> jurisdictions, kind_views;
    std::vector<std::span<const uint8_t>> tracking, bodies, openings;
    for (const auto& e : b.board) {
      kinds.push_back(std::to_string(static_cast<int>(e.kind)));
      jurisdictions.push_back(e.jurisdiction);
      tracking.emplace_back(e.tracking);
      bodies.emplace_back(e.body);
      openings.emplace_back(e.opening);
    }
    for (const auto& k : kinds) kind_views.push_back(k);
    auto r = conn_->ExecPrepared(
        "INSERT INTO board (shard, seq, position, kind, jurisdiction, tracking, body, opening) "
        "SELECT $1, $2, (ord - 1)::int, k::smallint, j, decode(t, 'hex'), decode(b, 'hex'), "
        "       nullif(decode(o, 'hex'), ''::bytea) "
        "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) "
        "     WITH ORDINALITY AS x(k, j, t, b, o, ord) "
        "ON CONFLICT (tracking) DO NOTHING RETURNING tracking",
        {b.shard, std::to_string(b.seq), TextArrayParam(kind_views), TextArrayParam(jurisdictions),
         HexArrayParam(tracking), HexArrayParam(bodies), HexArrayParam(openings)});
    if (!r.ok()) return r.status();
    if (static_cast<size_t>(r->rows()) == b.board.size()) return Status::Ok();
    std::set<TrackingCode> inserted;
    for (int row = 0; row < r->rows(); ++row) {
      TrackingCode t;
      if (!r->GetBytesInto(row, 0, t)) return Status::Internal("bad tracking code");
      inserted.insert(t);
    }
    for (const auto& e : b.board) {
      if (!inserted.count(e.tracking)) on_board.push_back(e.tracking);
    }
    return Status::Ok();
  }

  Status MoveHead(const SealedBatch& b, const ShardHead& expected) {
    const std::string seq = std::to_string(b.seq);
    auto r = conn_->ExecPrepared(
        "UPDATE shards SET seq = $2, head = $3 WHERE shard = $1 AND seq = $4 AND head = $5",
        {b.shard, seq, ByteaParam(b.head), std::to_string(expected.seq),
         ByteaParam(expected.head)});
    if (!r.ok()) return r.status();
    if (r->AffectedRows() != 1) {
      return Status::Aborted("shard " + b.shard + " moved under us (another writer?)");
    }
    return Status::Ok();
  }

  Result<bool> ResolveCommit(const SealedBatch& b) {
    auto deadline = std::chrono::steady_clock::now() + options_.resolve_timeout;
    Status last = Status::Unavailable("no attempt");
    while (std::chrono::steady_clock::now() < deadline) {
      conn_.reset();
      Status c = Connect();
      if (c.ok()) {
        auto r = conn_->ExecParams("SELECT head FROM batches WHERE shard = $1 AND seq = $2",
                                   {b.shard, std::to_string(b.seq)});
        if (r.ok()) {
          if (r->rows() == 0) return false;
          ChainHash h;
          if (!r->GetBytesInto(0, 0, h) || h != b.head) return false;
          // Found on the primary; the lost COMMIT may not have reached a standby yet.
          Status replicated = ConfirmReplicated(b.shard, "the COMMIT's answer was lost");
          if (!replicated.ok()) return replicated;
          return true;
        }
        last = r.status();
      } else {
        last = c;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    conn_.reset();
    return Status::DeadlineExceeded("could not learn whether batch " + b.shard + "/" +
                                    std::to_string(b.seq) + " committed: " + last.message());
  }

  // Makes sure what this primary has committed is also on its synchronous standby: a transaction
  // that writes WAL commits only once the standby has flushed everything before it. (An xid alone
  // is not enough: PostgreSQL waits for the standby only if the transaction wrote WAL.) `why`
  // says why the earlier commit is in doubt.
  Status ConfirmReplicated(const std::string& shard, const std::string& why) {
    const auto deadline = std::chrono::steady_clock::now() + options_.resolve_timeout;
    std::string last = why;
    while (std::chrono::steady_clock::now() < deadline) {
      Status c = EnsureConnected();
      if (c.ok()) {
        (void)conn_->TakeWarning();
        auto r = conn_->ExecParams(kTouchShard, {shard});  // one statement: its own transaction
        std::optional<std::string> warning = conn_->TakeWarning();
        if (r.ok() && !warning) return Status::Ok();
        if (r.ok()) {
          last = *warning;
        } else {
          last = r.status().message();
          (void)DropIfBroken(r.status());
        }
      } else {
        last = c.message();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    conn_.reset();
    return Status::DeadlineExceeded(
        "a batch committed on the primary could not be confirmed on a synchronous standby: " +
        last);
  }

  PgStoreOptions options_;
  std::unique_ptr<PgConnection> conn_;
};

// Hands each row of `r` (column 0: the batch's seq; rows in seq order) to `add` with its batch
// of `batches` (also in seq order). A row whose batch is not there is an error.
Status ForEachRowOfItsBatch(const PgResult& r, const std::string& shard,
                            std::vector<SealedBatch>& batches,
                            const std::function<Status(int row, SealedBatch& batch)>& add) {
  size_t bi = 0;
  for (int i = 0; i < r.rows(); ++i) {
    const int64_t seq = r.GetInt(i, 0);
    while (bi < batches.size() && batches[bi].seq < seq) ++bi;
    if (bi == batches.size() || batches[bi].seq != seq) {
      return Status::Internal("a ballot without its batch in shard " + shard);
    }
    LANDSLIDE_RETURN_IF_ERROR(add(i, batches[bi]));
  }
  return Status::Ok();
}

class PgBatchSource final : public BatchSource {
 public:
  PgBatchSource(std::unique_ptr<PgConnection> conn, bool board)
      : conn_(std::move(conn)), board_(board) {}

  Result<std::vector<ShardHead>> Heads() override {
    auto r = conn_->Exec("SELECT shard, seq, head FROM shards ORDER BY shard");
    if (!r.ok()) return r.status();
    std::vector<ShardHead> heads;
    for (int i = 0; i < r->rows(); ++i) {
      ShardHead h;
      h.shard = std::string(r->Get(i, 0));
      h.seq = r->GetInt(i, 1);
      if (!r->GetBytesInto(i, 2, h.head)) return Status::Internal("malformed shard head");
      heads.push_back(std::move(h));
    }
    return heads;
  }

  Result<std::vector<SealedBatch>> ReadBatches(const std::string& shard, int64_t after_seq,
                                               int64_t up_to_seq, int limit) override {
    auto b = conn_->ExecPrepared(
        "SELECT seq, ephemeral_public, head, ballot_count FROM batches "
        "WHERE shard = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
        {shard, std::to_string(after_seq), std::to_string(up_to_seq), std::to_string(limit)});
    if (!b.ok()) return b.status();
    std::vector<SealedBatch> batches(static_cast<size_t>(b->rows()));
    if (batches.empty()) return batches;
    for (int i = 0; i < b->rows(); ++i) {
      auto& batch = batches[static_cast<size_t>(i)];
      batch.shard = shard;
      batch.seq = b->GetInt(i, 0);
      if (!b->GetBytesInto(i, 1, batch.ephemeral_public) || !b->GetBytesInto(i, 2, batch.head)) {
        return Status::Internal("malformed batch row");
      }
      batch.ballots.reserve(static_cast<size_t>(b->GetInt(i, 3)));
    }
    int64_t last = batches.back().seq;
    if (board_) return ReadBoard(shard, after_seq, last, batches);
    // Binary results: every region's tallier reads every ballot, and in text form its 120 bytes
    // of nonce, seal and receipt came as 240 hex digits encoded by the server and decoded here.
    // seq is cast to text so that its binary form is its digits (named apart, so that ORDER BY
    // seq still sorts by the number).
    auto r = conn_->ExecPrepared(
        "SELECT seq::text AS seq_digits, jurisdiction, nonce, sealed, receipt FROM ballots "
        "WHERE shard = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, position",
        {shard, std::to_string(after_seq), std::to_string(last)}, ResultFormat::kBinary);
    if (!r.ok()) return r.status();
    LANDSLIDE_RETURN_IF_ERROR(
        ForEachRowOfItsBatch(*r, shard, batches, [&](int i, SealedBatch& batch) {
          StoredBallot ballot;
          ballot.jurisdiction = std::string(r->Get(i, 1));
          if (!r->GetRawInto(i, 2, ballot.sealed.nonce) ||
              !r->GetRawInto(i, 3, ballot.sealed.ciphertext) ||
              !r->GetRawInto(i, 4, ballot.receipt)) {
            return Status::Internal("malformed ballot row in shard " + shard);
          }
          batch.ballots.push_back(std::move(ballot));
          return Status::Ok();
        }));
    return batches;
  }

 private:
  Result<std::vector<SealedBatch>> ReadBoard(const std::string& shard, int64_t after_seq,
                                             int64_t last, std::vector<SealedBatch>& batches) {
    auto r = conn_->ExecPrepared(
        "SELECT seq::text AS seq_digits, kind::text, jurisdiction, tracking, body, "
        "       coalesce(opening, ''::bytea) FROM board "
        "WHERE shard = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, position",
        {shard, std::to_string(after_seq), std::to_string(last)}, ResultFormat::kBinary);
    if (!r.ok()) return r.status();
    LANDSLIDE_RETURN_IF_ERROR(
        ForEachRowOfItsBatch(*r, shard, batches, [&](int i, SealedBatch& batch) {
          BoardEntry e;
          const int64_t kind = r->GetInt(i, 1);
          if (kind != 1 && kind != 2) return Status::Internal("bad board kind in shard " + shard);
          e.kind = static_cast<BallotKind>(kind);
          e.jurisdiction = std::string(r->Get(i, 2));
          const std::string_view body = r->Get(i, 4), opening = r->Get(i, 5);
          if (!r->GetRawInto(i, 3, e.tracking)) {
            return Status::Internal("malformed board row in shard " + shard);
          }
          e.body.assign(body.begin(), body.end());
          e.opening.assign(opening.begin(), opening.end());
          batch.board.push_back(std::move(e));
          return Status::Ok();
        }));
    return std::move(batches);
  }

  std::unique_ptr<PgConnection> conn_;
  const bool board_;
};

}  // namespace

Result<std::unique_ptr<BallotStore>> OpenPgBallotStore(const PgStoreOptions& options) {
  auto store = std::make_unique<PgBallotStore>(options);
  LANDSLIDE_RETURN_IF_ERROR(store->Connect());
  return std::unique_ptr<BallotStore>(std::move(store));
}

Result<std::unique_ptr<BatchSource>> OpenPgBatchSource(const std::string& conninfo,
                                                       std::chrono::seconds connect_timeout,
                                                       bool board) {
  auto c = PgConnection::Connect(conninfo, connect_timeout);
  if (!c.ok()) return c.status();
  return std::unique_ptr<BatchSource>(std::make_unique<PgBatchSource>(std::move(*c), board));
}

}  // namespace landslide::db
