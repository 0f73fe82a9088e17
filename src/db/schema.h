// The Landslide schema. Who voted (pollbook) and how (ballots) live in separate tables with no
// column in common: ballots have no voter and no timestamp.
#pragma once

#include "common/status.h"
#include "db/pg.h"

namespace landslide::db {

// Creates the tables if missing (idempotent; safe to run from several processes at once).
Status EnsureSchema(PgConnection& conn);

}  // namespace landslide::db
