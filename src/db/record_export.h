// `landslide record export`: a verifiable election's record (docs/RECORD.md) read from the
// database in one snapshot: manifest, public credentials, every cast and spoiled ballot, the
// chains, and the aggregates the trustees decrypt, computed here from the cast ballots.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "common/status.h"
#include "db/pg.h"
#include "domain/election.h"

namespace landslide::db {

struct ExportSummary {
  uint64_t cast = 0;
  uint64_t spoiled = 0;
  uint64_t batches = 0;
  uint64_t credentials = 0;
};

// Writes the record into `dir` (which must not exist) from `conn` (the primary or a standby).
// kFailedPrecondition until `landslide close` closed the election: the aggregates must hold
// every ballot. `progress(ballots done)` is called now and then.
Result<ExportSummary> ExportRecord(PgConnection& conn, const Election& election,
                                   const std::filesystem::path& dir,
                                   const std::function<void(uint64_t)>& progress = nullptr);

}  // namespace landslide::db
