// The voter registry in PostgreSQL: importing a registry CSV and reading it back as an
// in-memory RegistryIndex. Only the keyed voter hash and the jurisdiction are ever stored;
// names and addresses are read, checked for shape and dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string_view>

#include "common/status.h"
#include "crypto/ballot_crypto.h"
#include "crypto/trustees.h"
#include "db/pg.h"
#include "domain/election.h"
#include "domain/registry_index.h"

namespace landslide::db {

inline constexpr std::string_view kRegistryHeader = "id,first_name,last_name,address,state";

struct ImportReport {
  int64_t rows_read = 0;        // data rows in the file
  int64_t inserted = 0;         // voters new to the registry
  int64_t already_present = 0;  // voters the registry already had, with the same jurisdiction
  int64_t registry_voters = 0;  // voters in the registry after the import
  int64_t generation = 0;       // registry_meta.generation after the import
  double seconds = 0;           // wall time of the whole import
};

struct ImportProgress {
  std::string_view phase;  // "checking" (reading and hashing) or "loading" (sending to the db)
  int64_t done = 0;        // rows
  int64_t total = 0;       // rows, or 0 while unknown
};
using ImportProgressFn = std::function<void(const ImportProgress&)>;

// Reads a registry CSV (header `id,first_name,last_name,address,state`, one voter a line) and
// adds its voters to the registry of `conn`'s database. Every row is checked before anything is
// sent: a bad id, a state that is not a jurisdiction of `election`, a wrong column count or an
// id seen twice makes the import fail with kInvalidArgument naming the lines, and nothing is
// loaded. Voters already registered (same hash, same jurisdiction) are counted, not
// duplicated, so importing a file twice is harmless; a registered voter whose jurisdiction
// differs is an error and again nothing is loaded. Everything happens in one transaction,
// which bumps registry_meta.generation when it adds voters. Creates the schema if missing.
//
// A verifiable election's registry holds each voter's public credential (derived from the id,
// keyed by CredentialKey) and, in the same transaction, the manifest built from it and the
// trustees' public ceremony; once a ballot is on the board the import is refused
// (kFailedPrecondition) because the manifest every proof is bound to would change.
Result<ImportReport> ImportRegistry(PgConnection& conn, const VoterHasher& hasher,
                                    const Election& election, std::istream& csv,
                                    const ImportProgressFn& progress = nullptr,
                                    const verifiable::PublicCeremony* trustees = nullptr);

struct RegistryLoadInfo {
  int64_t generation = 0;  // registry_meta.generation of the snapshot read
  int64_t skipped = 0;     // rows whose jurisdiction is not in the election
};

// Reads the whole registry (one consistent snapshot; works on a standby) into memory.
Result<RegistryIndex> LoadRegistryIndex(PgConnection& conn, const Election& election,
                                        RegistryLoadInfo* info = nullptr);

// registry_meta.generation: changes whenever an import adds voters.
Result<int64_t> RegistryGeneration(PgConnection& conn);

}  // namespace landslide::db
