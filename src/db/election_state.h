// Closing an election (`landslide close`): the election_state row every batch transaction reads
// under FOR KEY SHARE. Closing takes it FOR UPDATE, so it waits for the batches under way, and
// no ballot commits after the close does.
#pragma once

#include "common/status.h"
#include "common/time.h"
#include "db/pg.h"

namespace landslide::db {

// Closes voting on the primary `conn` reaches, once: closing a closed election returns the time
// it was first closed.
Result<TimePoint> CloseElection(PgConnection& conn);

}  // namespace landslide::db
