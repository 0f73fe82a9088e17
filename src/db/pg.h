// A thin RAII layer over libpq: connections and results as owned values, errors as Status.
// SQLSTATEs that mean "the server went away or is not writable" map to kUnavailable so that
// callers can answer 503 and retry; everything else is kInternal unless said otherwise.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace landslide::db {

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  int columns() const { return r_ ? PQnfields(r_.get()) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view Get(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  int64_t GetInt(int row, int col) const;
  // A bytea column in text format ("\x0a0b..."): its bytes, or empty on a malformed value.
  std::vector<uint8_t> GetBytes(int row, int col) const;
  // The same into `out`, which must be the value's exact size; false otherwise (no allocation).
  bool GetBytesInto(int row, int col, std::span<uint8_t> out) const;
  // A column of a result in binary format (ResultFormat::kBinary): its raw bytes into `out`,
  // which must be their exact size. bytea arrives as is and text as its characters.
  bool GetRawInto(int row, int col, std::span<uint8_t> out) const;
  // Number of rows a command touched ("INSERT 0 5" -> 5).
  int64_t AffectedRows() const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

// `conninfo` (key=value or URI form) with `key`=`value` added, unless it already sets `key`.
std::string WithConnParam(const std::string& conninfo, const std::string& key,
                          const std::string& value);
// How PostgreSQL sends a result's values: text (the default), or binary, where bytea values
// arrive as raw bytes instead of twice as many hex digits to decode.
enum class ResultFormat { kText = 0, kBinary = 1 };

class PgConnection {
 public:
  // Connects with `conninfo` (any libpq form, multi-host included), giving up after `timeout`.
  // Unless the conninfo says otherwise, TCP keepalives probe an idle connection after 2 s, so a
  // peer that vanished without closing it (a network partition, not a crash) is noticed in about
  // 5 s instead of the kernel's two hours.
  static Result<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo,
                                                       std::chrono::seconds timeout);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One or more statements without parameters.
  Result<PgResult> Exec(const std::string& sql);
  // One statement with text parameters ($1, $2, ...); nullopt is SQL NULL.
  Result<PgResult> ExecParams(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params);
  // The same through a statement prepared on this connection the first time `sql` is seen, so
  // that repeating it skips PostgreSQL's parsing and planning. For the fixed SQL of hot paths:
  // each distinct text stays prepared for the connection's life.
  Result<PgResult> ExecPrepared(const std::string& sql,
                                const std::vector<std::optional<std::string>>& params,
                                ResultFormat format = ResultFormat::kText);

  // Bulk load: `copy_sql` is a COPY ... FROM STDIN; `chunks` are sent in order.
  Status CopyIn(const std::string& copy_sql, const std::vector<std::string_view>& chunks);
  // COPY ... TO STDOUT; calls `on_row` with each row's text (without the newline).
  template <typename F>
  Status CopyOut(const std::string& copy_sql, F&& on_row);

  bool IsBroken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // The last WARNING the server sent since the previous call, if any, and forgets it. A COMMIT
  // that "succeeds" with a WARNING may not have done what was asked: when the wait for
  // synchronous replication is cancelled, the transaction is committed locally only.
  std::optional<std::string> TakeWarning();
  // "host:port" of the server this connection reached.
  std::string Endpoint() const;
  PGconn* raw() { return conn_; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Status CheckResult(PGresult* r, ExecStatusType want);
  // The result of a command or query as a value, or its error (clearing the result).
  Result<PgResult> Finish(PGresult* r);
  Status CopyOutImpl(const std::string& copy_sql, void (*cb)(void*, std::string_view), void* ctx);

  PGconn* conn_;                        // owned; PQfinish in the destructor
  std::optional<std::string> warning_;  // set by libpq's notice receiver, on this thread
  // SQL text -> name of the statement prepared for it on this connection (ExecPrepared).
  std::unordered_map<std::string, std::string> prepared_;
};

template <typename F>
Status PgConnection::CopyOut(const std::string& copy_sql, F&& on_row) {
  return CopyOutImpl(
      copy_sql,
      [](void* ctx, std::string_view row) {
        (*static_cast<std::remove_reference_t<F>*>(ctx))(row);
      },
      &on_row);
}

// Formats bytes as a bytea literal for a text parameter: "\x0a0b...".
std::string ByteaParam(std::span<const uint8_t> bytes);
// Formats byte strings as a text[] literal of hex strings, for `decode(unnest($1::text[]),'hex')`.
std::string HexArrayParam(const std::vector<std::span<const uint8_t>>& items);
// Formats strings (which must not contain '"', '\\' or ',') as a text[] literal.
std::string TextArrayParam(const std::vector<std::string_view>& items);

}  // namespace landslide::db
