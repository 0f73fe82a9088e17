#include "db/registry_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/hex.h"
#include "crypto/verifiable_ballot.h"
#include "db/schema.h"
#include "domain/voter_id.h"
#include "record/manifest.h"
#include "voting/verifiable_election.h"

namespace landslide::db {

namespace {

constexpr size_t kReadBlock = 1 << 20;
// Far longer than any sane row; stops a binary file from being buffered whole as one "line".
constexpr size_t kMaxLineLength = size_t{64} * 1024;
constexpr size_t kMaxListedErrors = 20;
constexpr size_t kRowsPerCopy = 131072;
constexpr int64_t kProgressEvery = 65536;

// Yields the lines of a stream without copying each one; a view stays valid until the next call.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  // The next line without its "\n" or "\r\n"; false at the end or on error (see status()).
  bool Next(std::string_view* line) {
    while (true) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos || (eof_ && pos_ < buf_.size())) {
        size_t end = nl == std::string::npos ? buf_.size() : nl;
        *line = std::string_view(buf_).substr(pos_, end - pos_);
        pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
        if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
        ++line_no_;
        return true;
      }
      if (eof_) return false;
      if (buf_.size() - pos_ > kMaxLineLength) {
        status_ = Status::InvalidArgument("line " + std::to_string(line_no_ + 1) +
                                          " is too long; is this a registry CSV file?");
        return false;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      const size_t old = buf_.size();
      buf_.resize(old + kReadBlock);
      in_.read(buf_.data() + old, static_cast<std::streamsize>(kReadBlock));
      const auto got = static_cast<size_t>(in_.gcount());
      buf_.resize(old + got);
      if (in_.bad()) {
        status_ = Status::Unavailable("cannot read the registry file");
        return false;
      }
      if (got == 0 || !in_) eof_ = true;
    }
  }
  int64_t line_no() const { return line_no_; }
  const Status& status() const { return status_; }

 private:
  std::istream& in_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  int64_t line_no_ = 0;
  Status status_;
};

struct Row {
  VoterHash hash;
  JurisdictionIndex jurisdiction;
  int64_t line;
  Bytes32 credential{};  // verifiable elections: the public credential (hash is its key)
};

struct LineError {
  int64_t line;
  std::string reason;
};

// Keeps the count of errors and the first few (callers add them in line order).
struct ErrorList {
  int64_t count = 0;
  std::vector<LineError> first;
  void Add(int64_t line, std::string reason) {
    ++count;
    if (first.size() < kMaxListedErrors) first.push_back({line, std::move(reason)});
  }
};

// "3 bad rows, so nothing was loaded: line 2: ...; line 7: ...; and 1 more".
Status RowsRejected(const ErrorList& a, const ErrorList& b, std::string_view what) {
  std::vector<LineError> all = a.first;
  all.insert(all.end(), b.first.begin(), b.first.end());
  std::sort(all.begin(), all.end(),
            [](const LineError& x, const LineError& y) { return x.line < y.line; });
  if (all.size() > kMaxListedErrors) all.resize(kMaxListedErrors);
  const int64_t total = a.count + b.count;
  std::string msg = std::to_string(total) + " " + std::string(what) +
                    (total == 1 ? " row" : " rows") + ", so nothing was loaded: ";
  for (size_t i = 0; i < all.size(); ++i) {
    if (i) msg += "; ";
    msg += "line " + std::to_string(all[i].line) + ": " + all[i].reason;
  }
  if (total > static_cast<int64_t>(all.size())) {
    msg += "; and " + std::to_string(total - static_cast<int64_t>(all.size())) + " more";
  }
  return Status::InvalidArgument(msg);
}

// Never echoes an id (ids are not written anywhere in clear); other fields are cut short.
std::string Shown(std::string_view field) {
  constexpr size_t kMax = 24;
  std::string s(field.substr(0, kMax));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '"') c = '?';
  }
  return "\"" + s + (field.size() > kMax ? "...\"" : "\"");
}

// Keys each row by its voter id (`ids[i]` is row i's): the keyed hash, or for a verifiable
// election the public credential x·G and its key. A scalar multiplication per voter (27 s for
// 1.37M voters on one core) is spread over every core.
void KeyRows(const VoterHasher& hasher, const Election& election,
             const std::vector<std::string>& ids, std::vector<Row>& rows) {
  if (!election.verifiable()) {
    for (size_t i = 0; i < rows.size(); ++i) rows[i].hash = hasher.Hash(ids[i]);
    return;
  }
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < rows.size(); i += threads) {
        rows[i].credential = verifiable::PublicCredential(election.name(), ids[i]);
        rows[i].hash = CredentialKey(rows[i].credential);
      }
    });
  }
  for (auto& th : pool) th.join();
}

// Reads and checks every row; on success `rows` holds them sorted by hash.
Status ReadRows(const VoterHasher& hasher, const Election& election, std::istream& csv,
                const ImportProgressFn& progress, std::vector<Row>* rows) {
  LineReader reader(csv);
  std::string_view line;
  if (!reader.Next(&line)) {
    LANDSLIDE_RETURN_IF_ERROR(reader.status());
    return Status::InvalidArgument("the registry file is empty; its first line must be " +
                                   std::string(kRegistryHeader));
  }
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // spreadsheets add a BOM
  if (line != kRegistryHeader) {
    return Status::InvalidArgument("line 1 must be the header " + std::string(kRegistryHeader) +
                                   " but is " + Shown(line));
  }
  ErrorList errors;
  std::vector<std::string> ids;  // in memory only, for as long as it takes to key them
  std::vector<int64_t> blank;    // blank lines not yet followed by a row
  while (reader.Next(&line)) {
    const int64_t line_no = reader.line_no();
    std::string_view fields[5];
    size_t n = 0, start = 0;
    while (true) {
      const size_t comma = line.find(',', start);
      if (n < 5) fields[n] = line.substr(start, comma == line.npos ? line.npos : comma - start);
      ++n;
      if (comma == line.npos) break;
      start = comma + 1;
    }
    // Blank lines are errors only when a row follows: editors often leave some at the end.
    if (line.empty()) {
      blank.push_back(line_no);
      continue;
    }
    for (int64_t b : blank) errors.Add(b, "the line is empty");
    blank.clear();
    if (n != 5) {
      errors.Add(line_no, "expected 5 columns but found " + std::to_string(n));
      continue;
    }
    const bool id_ok = IsValidVoterId(fields[0]);
    const auto jurisdiction = election.FindJurisdiction(fields[4]);
    if (!id_ok) {
      errors.Add(line_no, "the id is not three groups of five base58 characters joined by '-'");
    } else if (!jurisdiction) {
      errors.Add(line_no,
                 "the state " + Shown(fields[4]) + " is not a jurisdiction of " + election.name());
    }
    // A row with a good id takes part in the duplicate check even if its state is wrong, so
    // fixing one error does not reveal another.
    if (id_ok) {
      rows->push_back({VoterHash{}, jurisdiction.value_or(0), line_no});
      ids.emplace_back(fields[0]);
    }
    if (progress && line_no % kProgressEvery == 0) progress({"checking", line_no - 1, 0});
  }
  LANDSLIDE_RETURN_IF_ERROR(reader.status());
  KeyRows(hasher, election, ids, *rows);
  ids = {};

  std::sort(rows->begin(), rows->end(), [](const Row& a, const Row& b) {
    return a.hash < b.hash || (a.hash == b.hash && a.line < b.line);
  });
  // (line, line of the first occurrence) for each repeated id.
  std::vector<std::pair<int64_t, int64_t>> dups;
  for (size_t i = 1, first = 0; i < rows->size(); ++i) {
    if ((*rows)[i].hash == (*rows)[first].hash) {
      dups.emplace_back((*rows)[i].line, (*rows)[first].line);
    } else {
      first = i;
    }
  }
  if (errors.count > 0 || !dups.empty()) {
    std::sort(dups.begin(), dups.end());
    ErrorList dup_errors;
    for (const auto& [line, first_line] : dups) {
      if (dup_errors.first.size() < kMaxListedErrors) {
        dup_errors.Add(line, "the same id as line " + std::to_string(first_line));
      } else {
        ++dup_errors.count;
      }
    }
    return RowsRejected(errors, dup_errors, "bad");
  }
  if (progress) progress({"checking", static_cast<int64_t>(rows->size()), 0});
  return Status::Ok();
}

void AppendHexBytea(std::string& out, std::span<const uint8_t> h) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";  // COPY text format escapes the backslash of bytea's \x
  for (uint8_t b : h) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
}

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Runs the load inside an open transaction; the caller commits or rolls back.
Status LoadRows(PgConnection& conn, const Election& election, const std::vector<Row>& rows,
                const ImportProgressFn& progress, ImportReport* report) {
  // Blocks a concurrent import (and any other writer) but not readers, so the checks below
  // stay true until commit.
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("LOCK TABLE registry IN SHARE ROW EXCLUSIVE MODE").status());
  LANDSLIDE_RETURN_IF_ERROR(
      conn.Exec("CREATE TEMP TABLE registry_import (voter_hash bytea NOT NULL, "
                "jurisdiction text NOT NULL, credential bytea) ON COMMIT DROP")
          .status());
  const auto total = static_cast<int64_t>(rows.size());
  // `rows` is sorted by hash, so the registry's primary key index grows in key order.
  std::string chunk;
  for (size_t begin = 0; begin < rows.size(); begin += kRowsPerCopy) {
    const size_t end = std::min(rows.size(), begin + kRowsPerCopy);
    chunk.clear();
    for (size_t i = begin; i < end; ++i) {
      AppendHexBytea(chunk, rows[i].hash);
      chunk.push_back('\t');
      chunk += election.jurisdictions()[rows[i].jurisdiction].code;
      chunk.push_back('\t');
      if (election.verifiable()) {
        AppendHexBytea(chunk, rows[i].credential);
      } else {
        chunk += "\\N";
      }
      chunk.push_back('\n');
    }
    LANDSLIDE_RETURN_IF_ERROR(conn.CopyIn(
        "COPY registry_import (voter_hash, jurisdiction, credential) FROM STDIN", {chunk}));
    if (progress) progress({"loading", static_cast<int64_t>(end), total});
  }
  // Temporary tables are never auto-analyzed; without statistics the joins below can pick a
  // nested loop over a million rows.
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("ANALYZE registry_import").status());

  auto moved = conn.Exec(
      "SELECT encode(i.voter_hash, 'hex'), r.jurisdiction, i.jurisdiction, count(*) OVER () "
      "FROM registry_import i JOIN registry r USING (voter_hash) "
      "WHERE r.jurisdiction <> i.jurisdiction LIMIT " +
      std::to_string(kMaxListedErrors));
  if (!moved.ok()) return moved.status();
  if (moved->rows() > 0) {
    ErrorList errors;
    for (int i = 0; i < moved->rows(); ++i) {
      auto bytes = FromHex(moved->Get(i, 0));
      VoterHash h{};
      if (bytes && bytes->size() == h.size()) std::copy(bytes->begin(), bytes->end(), h.begin());
      auto it = std::lower_bound(rows.begin(), rows.end(), h,
                                 [](const Row& r, const VoterHash& x) { return r.hash < x; });
      const int64_t line = (it != rows.end() && it->hash == h) ? it->line : 0;
      errors.Add(line, "this voter is already registered in " + std::string(moved->Get(i, 1)) +
                           ", not " + std::string(moved->Get(i, 2)));
    }
    errors.count = moved->GetInt(0, 3);
    return RowsRejected(errors, {}, "conflicting");
  }

  // The anti-join is safe because the lock above keeps every other writer out until commit,
  // and the file has no repeated ids; a plain insert costs half as much as ON CONFLICT's
  // speculative insertion (1.6 s against 3.7 s for 1.37M voters here).
  auto inserted = conn.Exec(
      "INSERT INTO registry (voter_hash, jurisdiction, credential) "
      "SELECT i.voter_hash, i.jurisdiction, i.credential FROM registry_import i WHERE NOT EXISTS "
      "(SELECT 1 FROM registry r WHERE r.voter_hash = i.voter_hash)");
  if (!inserted.ok()) return inserted.status();
  report->inserted = inserted->AffectedRows();
  report->already_present = total - report->inserted;

  auto meta = conn.Exec(
      "UPDATE registry_meta SET generation = generation + " +
      std::string(report->inserted > 0 ? "1" : "0") +
      ", voters = (SELECT count(*) FROM registry) WHERE id = 1 RETURNING generation, voters");
  if (!meta.ok()) return meta.status();
  if (meta->rows() != 1) return Status::Internal("registry_meta has no row");
  report->generation = meta->GetInt(0, 0);
  report->registry_voters = meta->GetInt(0, 1);
  return Status::Ok();
}

// A verifiable election's manifest from the registry as it now stands, stored with it. Once a
// ballot is on the board every proof is bound to the stored manifest, so it can no longer change.
Status StoreManifest(PgConnection& conn, const Election& election,
                     const verifiable::PublicCeremony& trustees) {
  auto cast = conn.Exec("SELECT 1 FROM board LIMIT 1");
  if (!cast.ok()) return cast.status();
  if (cast->rows() > 0) {
    return Status::FailedPrecondition(
        "ballots are on the board already, and every one of them is bound to the published "
        "manifest: the registry of a verifiable election cannot change once voting started");
  }
  record::Manifest manifest = record::ManifestFor(election, trustees, election.policy().results,
                                                  election.policy().live_min_ballots);
  std::map<std::string, std::vector<Bytes32>> credentials;
  int64_t missing = 0;
  Status s = conn.CopyOut(
      "COPY (SELECT jurisdiction, encode(coalesce(credential, ''::bytea), 'hex') FROM registry) "
      "TO STDOUT",
      [&](std::string_view row) {
        const size_t tab = row.find('\t');
        Bytes32 credential{};
        if (tab == row.npos || !FromHexInto(row.substr(tab + 1), credential)) {
          ++missing;
          return;
        }
        credentials[std::string(row.substr(0, tab))].push_back(credential);
      });
  if (!s.ok()) return s;
  if (missing > 0) {
    return Status::FailedPrecondition(
        std::to_string(missing) +
        " registered voters have no public credential (imported for a sealed election): a "
        "verifiable election needs a database of its own");
  }
  for (auto& contest : manifest.contests) {
    auto& list = credentials[contest.jurisdiction];
    contest.credentials = list.size();
    contest.credentials_sha256 = record::CredentialsHash(list);
  }
  const std::string bytes = record::ManifestToJson(manifest);
  auto r = conn.ExecParams(
      "INSERT INTO manifest (id, bytes) VALUES (1, $1) "
      "ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
      {ByteaParam(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))});
  return r.status();
}

}  // namespace

Result<ImportReport> ImportRegistry(PgConnection& conn, const VoterHasher& hasher,
                                    const Election& election, std::istream& csv,
                                    const ImportProgressFn& progress,
                                    const verifiable::PublicCeremony* trustees) {
  if (election.verifiable() && !trustees) {
    return Status::InvalidArgument(
        "a verifiable election's registry needs the trustees' public keys (trustees.json)");
  }
  const auto started = std::chrono::steady_clock::now();
  ImportReport report;
  std::vector<Row> rows;
  LANDSLIDE_RETURN_IF_ERROR(ReadRows(hasher, election, csv, progress, &rows));
  report.rows_read = static_cast<int64_t>(rows.size());

  LANDSLIDE_RETURN_IF_ERROR(EnsureSchema(conn));
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("BEGIN").status());
  Status s = LoadRows(conn, election, rows, progress, &report);
  if (s.ok() && election.verifiable()) s = StoreManifest(conn, election, *trustees);
  if (s.ok()) s = conn.Exec("COMMIT").status();
  if (!s.ok()) {
    (void)conn.Exec("ROLLBACK");
    return s.code() == Code::kInvalidArgument || s.code() == Code::kFailedPrecondition
               ? s
               : s.Context("loading the registry");
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

Result<RegistryIndex> LoadRegistryIndex(PgConnection& conn, const Election& election,
                                        RegistryLoadInfo* info) {
  // One snapshot for the generation and the rows, so a concurrent import is seen whole or not
  // at all. READ ONLY lets this run on a standby.
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").status());
  auto fail = [&conn](const Status& s) {
    (void)conn.Exec("ROLLBACK");
    return s.Context("reading the registry");
  };
  auto gen = conn.Exec("SELECT generation, voters FROM registry_meta WHERE id = 1");
  if (!gen.ok()) return fail(gen.status());
  const int64_t generation = gen->rows() == 1 ? gen->GetInt(0, 0) : 0;
  const int64_t expected = gen->rows() == 1 ? gen->GetInt(0, 1) : 0;

  std::vector<RegistryIndex::Entry> entries;
  entries.reserve(static_cast<size_t>(std::max<int64_t>(expected, 0)));
  int64_t skipped = 0, malformed = 0;
  // Rows look like "\\x<32 hex digits>\t<jurisdiction>" (COPY text doubles the backslash).
  Status s =
      conn.CopyOut("COPY registry (voter_hash, jurisdiction) TO STDOUT", [&](std::string_view row) {
        constexpr size_t kHashText = 3 + 32;
        if (row.size() < kHashText + 2 || row.substr(0, 3) != "\\\\x" || row[kHashText] != '\t') {
          ++malformed;
          return;
        }
        RegistryIndex::Entry e;
        for (size_t i = 0; i < e.hash.size(); ++i) {
          const int hi = HexNibble(row[3 + 2 * i]), lo = HexNibble(row[4 + 2 * i]);
          if (hi < 0 || lo < 0) {
            ++malformed;
            return;
          }
          e.hash[i] = static_cast<uint8_t>(hi << 4 | lo);
        }
        auto j = election.FindJurisdiction(row.substr(kHashText + 1));
        if (!j) {
          ++skipped;
          return;
        }
        e.jurisdiction = *j;
        entries.push_back(e);
      });
  if (!s.ok()) return fail(s);
  (void)conn.Exec("COMMIT");
  if (malformed > 0) {
    return Status::Internal("reading the registry: " + std::to_string(malformed) +
                            " rows are malformed");
  }
  if (info) {
    info->generation = generation;
    info->skipped = skipped;
  }
  return RegistryIndex(std::move(entries));
}

Result<int64_t> RegistryGeneration(PgConnection& conn) {
  auto r = conn.Exec("SELECT generation FROM registry_meta WHERE id = 1");
  if (!r.ok()) return r.status().Context("reading the registry generation");
  if (r->rows() != 1) return Status::NotFound("the registry has never been initialized");
  return r->GetInt(0, 0);
}

}  // namespace landslide::db
