// Row counts `landslide audit` compares: every pollbook row must have exactly one ballot and
// every batch must hold the number of ballots its row claims.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "db/pg.h"

namespace landslide::db {

struct AuditCounts {
  int64_t pollbook = 0;
  int64_t ballots = 0;
  int64_t batch_claimed = 0;       // sum of batches.ballot_count
  int64_t batches_mismatched = 0;  // batches whose ballot_count differs from their ballots
};

// One consistent snapshot (REPEATABLE READ) of the counts.
Result<AuditCounts> ReadAuditCounts(PgConnection& conn);

}  // namespace landslide::db
