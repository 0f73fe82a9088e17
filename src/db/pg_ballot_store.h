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
  // A statement whose bytes the primary has not acknowledged within this time fails (libpq's
  // tcp_user_timeout): across a partition the kernel would otherwise retransmit for about 15
  // minutes, holding a writer, its batch and its callers all that time. Keepalives (PgConnection)
  // cover the other half: a statement sent and acknowledged whose answer never comes.
  std::chrono::milliseconds tcp_user_timeout{5000};
};

// Connects; the schema must exist (db::EnsureSchema). The store reconnects by itself after
// failures.
Result<std::unique_ptr<BallotStore>> OpenPgBallotStore(const PgStoreOptions& options);

// Reads batches from `conninfo` (a region reads its own standby); `board`: a verifiable
// election's, whose ballots are on the bulletin board.
Result<std::unique_ptr<BatchSource>> OpenPgBatchSource(const std::string& conninfo,
                                                       std::chrono::seconds connect_timeout,
                                                       bool board = false);

}  // namespace landslide::db
