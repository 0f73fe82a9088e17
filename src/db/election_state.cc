#include "db/election_state.h"

#include <chrono>

#include "db/schema.h"

namespace landslide::db {

Result<TimePoint> CloseElection(PgConnection& conn) {
  LANDSLIDE_RETURN_IF_ERROR(EnsureSchema(conn));
  LANDSLIDE_RETURN_IF_ERROR(conn.Exec("BEGIN").status());
  auto fail = [&conn](const Status& s) {
    (void)conn.Exec("ROLLBACK");
    return s.Context("closing the election");
  };
  // FOR UPDATE conflicts with the batches' FOR KEY SHARE (a plain UPDATE of a non-key column
  // would not): this waits for every batch transaction under way, and later ones wait for this.
  auto lock = conn.Exec("SELECT 1 FROM election_state WHERE id = 1 FOR UPDATE");
  if (!lock.ok()) return fail(lock.status());
  auto r = conn.Exec(
      "UPDATE election_state SET closed_at = coalesce(closed_at, now()) WHERE id = 1 "
      "RETURNING (extract(epoch FROM closed_at) * 1000000)::bigint");
  if (!r.ok()) return fail(r.status());
  if (r->rows() != 1) return fail(Status::Internal("election_state has no row"));
  const TimePoint closed_at(std::chrono::microseconds(r->GetInt(0, 0)));
  auto commit = conn.Exec("COMMIT");
  if (!commit.ok()) return fail(commit.status());
  return closed_at;
}

}  // namespace landslide::db
