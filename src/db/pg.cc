#include "db/pg.h"

#include <charconv>
#include <cstring>
#include <utility>

#include "common/hex.h"
#include "common/strings.h"

namespace landslide::db {

int64_t PgResult::GetInt(int row, int col) const {
  std::string_view s = Get(row, col);
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::vector<uint8_t> PgResult::GetBytes(int row, int col) const {
  std::string_view s = Get(row, col);
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x') return {};
  auto bytes = FromHex(s.substr(2));
  return bytes ? std::move(*bytes) : std::vector<uint8_t>{};
}

bool PgResult::GetBytesInto(int row, int col, std::span<uint8_t> out) const {
  std::string_view s = Get(row, col);
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x') return false;
  return FromHexInto(s.substr(2), out);
}

bool PgResult::GetRawInto(int row, int col, std::span<uint8_t> out) const {
  std::string_view s = Get(row, col);
  if (s.size() != out.size()) return false;
  std::memcpy(out.data(), s.data(), s.size());
  return true;
}

int64_t PgResult::AffectedRows() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

std::string WithConnParam(const std::string& conninfo, const std::string& key,
                          const std::string& value) {
  if (conninfo.find(key + "=") != std::string::npos) return conninfo;
  if (conninfo.find("://") != std::string::npos) {
    return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
  }
  return conninfo + (conninfo.empty() ? "" : " ") + key + "=" + value;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo,
                                                            std::chrono::seconds timeout) {
  std::string full = WithConnParam(conninfo, "connect_timeout", std::to_string(timeout.count()));
  full = WithConnParam(full, "keepalives_idle", "2");
  full = WithConnParam(full, "keepalives_interval", "1");
  full = WithConnParam(full, "keepalives_count", "3");
  PGconn* c = PQconnectdb(full.c_str());
  if (c == nullptr) return Status::Unavailable("out of memory connecting to PostgreSQL");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = OneLine(PQerrorMessage(c));
    PQfinish(c);
    return Status::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  auto conn = std::unique_ptr<PgConnection>(new PgConnection(c));  // NOLINT: private constructor
  // Server NOTICEs ("relation already exists, skipping") are not errors; keep them off stderr.
  // WARNINGs are kept for TakeWarning(). libpq calls this synchronously from inside PQexec on the
  // calling thread, and it cannot throw.
  PQsetNoticeReceiver(
      c,
      [](void* self, const PGresult* r) {
        const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
        if (severity == nullptr || std::strcmp(severity, "WARNING") != 0) return;
        static_cast<PgConnection*>(self)->warning_ = OneLine(PQresultErrorMessage(r));
      },
      conn.get());
  return conn;
}

std::optional<std::string> PgConnection::TakeWarning() { return std::exchange(warning_, {}); }

PgConnection::~PgConnection() { PQfinish(conn_); }

std::string PgConnection::Endpoint() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?");
}

Status PgConnection::CheckResult(PGresult* r, ExecStatusType want) {
  ExecStatusType got = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (got == want) return Status::Ok();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = OneLine(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  std::string sqlstate = state ? state : "";
  if (!sqlstate.empty()) msg = "[" + sqlstate + "] " + msg;
  // 08: connection exception; 57P: operator intervention (shutdown); 25006: read-only
  // transaction (we reached a standby); 40001/40P01: retryable conflicts; 53: resources.
  if (IsBroken() || sqlstate.empty() || sqlstate.rfind("08", 0) == 0 ||
      sqlstate.rfind("57P", 0) == 0 || sqlstate == "25006" || sqlstate == "40001" ||
      sqlstate == "40P01" || sqlstate.rfind("53", 0) == 0) {
    return Status::Unavailable(msg);
  }
  if (sqlstate == "23505") return Status::AlreadyExists(msg);
  return Status::Internal(msg);
}

Result<PgResult> PgConnection::Finish(PGresult* r) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  Status s = CheckResult(r, st == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK);
  if (!s.ok()) {
    PQclear(r);
    return s;
  }
  return PgResult(r);
}

namespace {

// libpq's view of text parameters: pointers into `params`, null for SQL NULL.
std::vector<const char*> ParamValues(const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i] ? params[i]->c_str() : nullptr;
  }
  return values;
}

}  // namespace

Result<PgResult> PgConnection::Exec(const std::string& sql) {
  return Finish(PQexec(conn_, sql.c_str()));
}

Result<PgResult> PgConnection::ExecParams(const std::string& sql,
                                          const std::vector<std::optional<std::string>>& params) {
  const std::vector<const char*> values = ParamValues(params);
  return Finish(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0));
}

Result<PgResult> PgConnection::ExecPrepared(const std::string& sql,
                                            const std::vector<std::optional<std::string>>& params,
                                            ResultFormat format) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "landslide_" + std::to_string(prepared_.size());
    PGresult* p = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    Status s = CheckResult(p, PGRES_COMMAND_OK);
    PQclear(p);
    if (!s.ok()) return s;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = ParamValues(params);
  return Finish(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                               values.data(), nullptr, nullptr, static_cast<int>(format)));
}

Status PgConnection::CopyIn(const std::string& copy_sql,
                            const std::vector<std::string_view>& chunks) {
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  Status s = CheckResult(r, PGRES_COPY_IN);
  PQclear(r);
  if (!s.ok()) return s;
  for (std::string_view chunk : chunks) {
    if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) {
      return Status::Unavailable(std::string("COPY failed: ") + PQerrorMessage(conn_));
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    return Status::Unavailable(std::string("COPY failed: ") + PQerrorMessage(conn_));
  }
  r = PQgetResult(conn_);
  s = CheckResult(r, PGRES_COMMAND_OK);
  PQclear(r);
  while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  return s;
}

Status PgConnection::CopyOutImpl(const std::string& copy_sql, void (*cb)(void*, std::string_view),
                                 void* ctx) {
  PGresult* r = PQexec(conn_, copy_sql.c_str());
  Status s = CheckResult(r, PGRES_COPY_OUT);
  PQclear(r);
  if (!s.ok()) return s;
  char* buf = nullptr;
  int n;
  while ((n = PQgetCopyData(conn_, &buf, 0)) > 0) {
    std::string_view row(buf, static_cast<size_t>(n));
    if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
    cb(ctx, row);
    PQfreemem(buf);
  }
  r = PQgetResult(conn_);
  s = CheckResult(r, PGRES_COMMAND_OK);
  PQclear(r);
  while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  return s;
}

std::string ByteaParam(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(2 + 2 * bytes.size());
  out = "\\x";
  AppendHex(bytes, out);
  return out;
}

std::string HexArrayParam(const std::vector<std::span<const uint8_t>>& items) {
  size_t size = 2;
  for (const auto& item : items) size += 2 * item.size() + 1;
  std::string out;
  out.reserve(size);
  out.push_back('{');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    if (items[i].empty()) {
      out += "\"\"";  // an empty element must be quoted in an array literal
    } else {
      AppendHex(items[i], out);
    }
  }
  out.push_back('}');
  return out;
}

std::string TextArrayParam(const std::vector<std::string_view>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('"');
    out += items[i];
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace landslide::db
