#include "db/audit_counts.h"

namespace landslide::db {

Result<AuditCounts> ReadAuditCounts(PgConnection& conn) {
  auto begin = conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begin.ok()) return begin.status();
  auto r = conn.Exec(
      "SELECT (SELECT count(*) FROM pollbook), (SELECT count(*) FROM ballots), "
      "       (SELECT coalesce(sum(ballot_count), 0) FROM batches), "
      "       (SELECT count(*) FROM batches b WHERE b.ballot_count <> "
      "          (SELECT count(*) FROM ballots x WHERE x.shard = b.shard AND x.seq = b.seq))");
  (void)conn.Exec("COMMIT");
  if (!r.ok()) return r.status();
  AuditCounts c;
  c.pollbook = r->GetInt(0, 0);
  c.ballots = r->GetInt(0, 1);
  c.batch_claimed = r->GetInt(0, 2);
  c.batches_mismatched = r->GetInt(0, 3);
  return c;
}

}  // namespace landslide::db
