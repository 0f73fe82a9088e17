#include "cluster/ha_database.h"

#include <chrono>
#include <thread>

#include "common/strings.h"
#include "db/pg.h"
#include "db/schema.h"

namespace landslide::cluster {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

namespace {

// An SQL identifier, double-quoted.
std::string Ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? "\"\"" : std::string(1, c);
  return out + "\"";
}
}  // namespace

Status CreateRoleAndDatabase(const HaRegion& leader) {
  auto conn = db::PgConnection::Connect(leader.superuser_conninfo(), seconds(10));
  if (!conn.ok()) return conn.status().Context(leader.name + ": connecting as the superuser");
  db::PgConnection& c = **conn;
  const std::string name = "landslide";
  auto role = c.ExecParams("SELECT 1 FROM pg_roles WHERE rolname = $1", {name});
  if (!role.ok()) return role.status().Context("looking up role " + name);
  if (role->rows() == 0) {
    auto r = c.Exec("CREATE ROLE " + Ident(name) + " LOGIN CREATEDB");
    if (!r.ok()) return r.status().Context("creating role " + name);
  }
  auto database = c.ExecParams("SELECT 1 FROM pg_database WHERE datname = $1", {name});
  if (!database.ok()) return database.status().Context("looking up database " + name);
  if (database->rows() == 0) {
    auto r = c.Exec("CREATE DATABASE " + Ident(name) + " OWNER " + Ident(name));
    if (!r.ok()) return r.status().Context("creating database " + name);
  }
  return Status::Ok();
}

Status CreateSchemaOnEveryMember(const HaRegion& leader,
                                 const std::vector<std::unique_ptr<HaRegion>>& regions,
                                 const std::function<Status()>& still_going) {
  std::string lsn;
  {
    // The leader itself, not the multi-host conninfo: libpq gives up on the whole list when the
    // first member answers "database does not exist", which a standby does until the new
    // database reaches it.
    auto conn = db::PgConnection::Connect(leader.replica_conninfo(), seconds(10));
    if (!conn.ok()) return conn.status().Context(leader.name + ": connecting to the primary");
    LANDSLIDE_RETURN_IF_ERROR(db::EnsureSchema(**conn).Context("creating the schema"));
    auto r = (*conn)->Exec("SELECT pg_current_wal_lsn()::text");
    if (!r.ok()) return r.status().Context("reading the primary's WAL position");
    lsn = std::string(r->Get(0, 0));
  }
  for (const auto& region : regions) {
    const auto deadline = SteadyClock::now() + seconds(60);
    std::string last;
    while (true) {
      // The database itself may not have reached this member yet: connecting fails until then.
      auto conn = db::PgConnection::Connect(region->replica_conninfo(), seconds(2));
      if (conn.ok()) {
        auto r = (*conn)->ExecParams(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn", {lsn});
        if (r.ok() && r->Get(0, 0) == "t") break;
        last = r.ok() ? "replayed up to " + lsn + " not yet" : r.status().message();
      } else {
        last = conn.status().message();
      }
      LANDSLIDE_RETURN_IF_ERROR(still_going());
      if (SteadyClock::now() >= deadline) {
        return Status::Unavailable(region->name +
                                   ": the schema did not reach this member in 60 s (" +
                                   OneLine(last) + ")");
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  return Status::Ok();
}

}  // namespace landslide::cluster
