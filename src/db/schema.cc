#include "db/schema.h"

namespace landslide::db {

namespace {
constexpr const char* kSchema = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7715202601);
CREATE TABLE IF NOT EXISTS registry (
  voter_hash   bytea PRIMARY KEY CHECK (length(voter_hash) = 16),
  jurisdiction text  NOT NULL
);
CREATE TABLE IF NOT EXISTS registry_meta (
  id         int    PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL,
  voters     bigint NOT NULL
);
INSERT INTO registry_meta VALUES (1, 0, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS pollbook (
  voter_hash       bytea       PRIMARY KEY CHECK (length(voter_hash) = 16),
  voted_at         timestamptz NOT NULL,
  region           text        NOT NULL,
  idempotency_hash bytea
);
CREATE TABLE IF NOT EXISTS shards (
  shard text   PRIMARY KEY,
  seq   bigint NOT NULL,
  head  bytea  NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
  shard            text   NOT NULL,
  seq              bigint NOT NULL,
  ballot_count     int    NOT NULL,
  ephemeral_public bytea  NOT NULL,
  head             bytea  NOT NULL,
  PRIMARY KEY (shard, seq)
);
CREATE TABLE IF NOT EXISTS ballots (
  shard        text   NOT NULL,
  seq          bigint NOT NULL,
  position     int    NOT NULL,
  jurisdiction text   NOT NULL,
  nonce        bytea  NOT NULL,
  sealed       bytea  NOT NULL,
  receipt      bytea  NOT NULL UNIQUE,
  PRIMARY KEY (shard, seq, position),
  FOREIGN KEY (shard, seq) REFERENCES batches (shard, seq)
);
-- Verifiable elections: the public credential of each registered voter (voter_hash is then the
-- credential's pollbook key), the manifest's exact bytes, and the bulletin board: every cast or
-- spoiled ballot as the voter's device encoded it, in its batch of the shard's chain.
ALTER TABLE registry ADD COLUMN IF NOT EXISTS
  credential bytea CHECK (credential IS NULL OR length(credential) = 32);
CREATE TABLE IF NOT EXISTS manifest (
  id    int   PRIMARY KEY CHECK (id = 1),
  bytes bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS board (
  shard        text     NOT NULL,
  seq          bigint   NOT NULL,
  position     int      NOT NULL,
  kind         smallint NOT NULL CHECK (kind IN (1, 2)),
  jurisdiction text     NOT NULL,
  tracking     bytea    NOT NULL UNIQUE CHECK (length(tracking) = 32),
  body         bytea    NOT NULL,
  opening      bytea,
  PRIMARY KEY (shard, seq, position),
  FOREIGN KEY (shard, seq) REFERENCES batches (shard, seq)
);
-- Set once by `landslide close`; every batch transaction reads it under FOR KEY SHARE, so no
-- ballot commits after the close does.
CREATE TABLE IF NOT EXISTS election_state (
  id        int PRIMARY KEY CHECK (id = 1),
  closed_at timestamptz
);
INSERT INTO election_state VALUES (1, NULL) ON CONFLICT DO NOTHING;
COMMIT;
)sql";
}  // namespace

Status EnsureSchema(PgConnection& conn) {
  auto r = conn.Exec(kSchema);
  if (!r.ok()) {
    (void)conn.Exec("ROLLBACK");
    return r.status().Context("creating the schema");
  }
  return Status::Ok();
}

}  // namespace landslide::db
