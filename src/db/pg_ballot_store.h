// PostgreSQL implementations of the voting core's ports (voting/ballot_store.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "db/pg.h"
#include "voting/ballot_store.h"

namespace landslide::db {

struct PgStoreOptions {
  std::string conninfo;  // the primary (multi-host is fine)
  std::chrono::seconds connect_timeout{2};
  // How long to keep trying to learn whether a COMMIT that lost its connection took effect.
  std::chrono::milliseconds resolve_timeout{20000};
};

// Connects; the schema must exist (db::EnsureSchema). The store reconnects by itself after
// failures.
Result<std::unique_ptr<BallotStore>> OpenPgBallotStore(const PgStoreOptions& options);

// Reads batches from `conninfo` (a region reads its own standby).
Result<std::unique_ptr<BatchSource>> OpenPgBatchSource(const std::string& conninfo,
                                                       std::chrono::seconds connect_timeout);

}  // namespace landslide::db
