#include "db/record_export.h"

#include <map>
#include <string>
#include <vector>

#include "common/hex.h"
#include "crypto/verifiable_tally.h"
#include "record/manifest.h"
#include "record/record_files.h"

namespace landslide::db {

namespace {

// Splits a COPY text row on tabs.
std::vector<std::string_view> Fields(std::string_view row) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t tab = row.find('\t', start);
    out.push_back(row.substr(start, tab == row.npos ? row.npos : tab - start));
    if (tab == row.npos) return out;
    start = tab + 1;
  }
}

Result<ExportSummary> ExportInSnapshot(PgConnection& conn, const Election& election,
                                       const std::filesystem::path& dir,
                                       const std::function<void(uint64_t)>& progress) {
  auto closed = conn.Exec("SELECT closed_at IS NOT NULL FROM election_state WHERE id = 1");
  if (!closed.ok()) return closed.status();
  if (closed->rows() != 1 || closed->Get(0, 0) != "t") {
    return Status::FailedPrecondition(
        "voting is not closed: run `landslide close` first, so that the record holds every "
        "ballot");
  }
  auto m = conn.Exec("SELECT bytes FROM manifest WHERE id = 1");
  if (!m.ok()) return m.status();
  if (m->rows() != 1)
    return Status::FailedPrecondition("no manifest: the voters were never imported");
  const std::vector<uint8_t> raw = m->GetBytes(0, 0);
  const std::string bytes(raw.begin(), raw.end());
  auto manifest = record::ParseManifest(bytes);
  if (!manifest.ok()) return manifest.status().Context("the stored manifest");
  if (manifest->election != election.name()) {
    return Status::FailedPrecondition("the stored manifest is for election \"" +
                                      manifest->election + "\"");
  }
  std::vector<verifiable::ContestRule> rules;
  for (const auto& c : manifest->contests) rules.push_back(manifest->Rule(c));
  verifiable::Aggregator aggregator(rules);

  auto writer = record::RecordWriter::Create(dir, bytes);
  if (!writer.ok()) return writer.status();
  ExportSummary summary;

  record::Credentials credentials;
  for (const auto& c : manifest->contests) credentials[c.jurisdiction];  // listed even if empty
  Status bad = Status::Ok();
  LANDSLIDE_RETURN_IF_ERROR(
      conn.CopyOut("COPY (SELECT jurisdiction, encode(credential, 'hex') FROM registry) TO STDOUT",
                   [&](std::string_view row) {
                     auto f = Fields(row);
                     Bytes32 credential{};
                     if (f.size() != 2 || !FromHexInto(f[1], credential)) {
                       bad = Status::Internal("a registry row has no public credential");
                       return;
                     }
                     credentials[std::string(f[0])].push_back(credential);
                     ++summary.credentials;
                   }));
  LANDSLIDE_RETURN_IF_ERROR(bad);
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteCredentials(credentials));

  std::map<std::pair<std::string, int64_t>, record::Batch> batches;
  LANDSLIDE_RETURN_IF_ERROR(
      conn.CopyOut("COPY (SELECT shard, seq, encode(head, 'hex') FROM batches) TO STDOUT",
                   [&](std::string_view row) {
                     auto f = Fields(row);
                     record::Batch b;
                     if (f.size() != 3 || !FromHexInto(f[2], b.head)) {
                       bad = Status::Internal("a malformed batch row");
                       return;
                     }
                     b.shard = std::string(f[0]);
                     b.seq = std::stoull(std::string(f[1]));
                     batches[{b.shard, static_cast<int64_t>(b.seq)}] = std::move(b);
                   }));
  LANDSLIDE_RETURN_IF_ERROR(bad);

  LANDSLIDE_RETURN_IF_ERROR(conn.CopyOut(
      "COPY (SELECT shard, seq, kind, encode(tracking, 'hex'), encode(body, 'hex'), "
      "encode(coalesce(opening, ''::bytea), 'hex') FROM board ORDER BY shard, seq, position) "
      "TO STDOUT",
      [&](std::string_view row) {
        if (!bad.ok()) return;
        auto f = Fields(row);
        record::BoardBallot b;
        auto body = f.size() == 6 ? FromHex(f[4]) : std::nullopt;
        auto opening = f.size() == 6 ? FromHex(f[5]) : std::nullopt;
        if (!body || !opening || !FromHexInto(f[3], b.tracking)) {
          bad = Status::Internal("a malformed board row");
          return;
        }
        b.kind = f[2] == "2" ? BallotKind::kSpoiled : BallotKind::kCast;
        b.shard = std::string(f[0]);
        b.seq = std::stoull(std::string(f[1]));
        b.encoding = std::move(*body);
        b.opening = std::move(*opening);
        auto batch = batches.find({b.shard, static_cast<int64_t>(b.seq)});
        if (batch == batches.end()) {
          bad = Status::Internal("a board row without its batch");
          return;
        }
        batch->second.items.push_back({b.kind, b.tracking});
        if (b.kind == BallotKind::kCast) {
          auto ballot = DecodeBallot(b.encoding);
          Status added = ballot.ok() ? aggregator.Add(*ballot) : ballot.status();
          if (!added.ok()) {
            bad = added.Context("a cast ballot on the board");
            return;
          }
          ++summary.cast;
        } else {
          ++summary.spoiled;
        }
        bad = (*writer)->AddBallot(b);
        if (progress && (summary.cast + summary.spoiled) % 10000 == 0) {
          progress(summary.cast + summary.spoiled);
        }
      }));
  LANDSLIDE_RETURN_IF_ERROR(bad);
  std::vector<record::Batch> chains;
  chains.reserve(batches.size());
  for (auto& [key, b] : batches) chains.push_back(std::move(b));
  summary.batches = chains.size();
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteChains(chains));
  LANDSLIDE_RETURN_IF_ERROR((*writer)->WriteAggregates(aggregator.Aggregates()));
  LANDSLIDE_RETURN_IF_ERROR((*writer)->Finish());
  if (progress) progress(summary.cast + summary.spoiled);
  return summary;
}

}  // namespace

Result<ExportSummary> ExportRecord(PgConnection& conn, const Election& election,
                                   const std::filesystem::path& dir,
                                   const std::function<void(uint64_t)>& progress) {
  // One snapshot for everything; READ ONLY lets it run on a standby.
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").status());
  auto summary = ExportInSnapshot(conn, election, dir, progress);
  (void)conn.Exec("COMMIT");
  if (!summary.ok()) return summary.status().Context("exporting the record");
  return summary;
}

}  // namespace landslide::db
