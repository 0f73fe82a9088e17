// The harness other integration tests stand on: a real server that can be stopped and started.
#include "support/pg_harness.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "db/pg.h"
#include "os/ports.h"
#include "os/users.h"

namespace landslide::testing {
namespace {

using std::chrono::seconds;

Result<std::string> QueryOne(const std::string& conninfo, const std::string& sql) {
  auto conn = db::PgConnection::Connect(conninfo, seconds(5));
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Exec(sql);
  if (!r.ok()) return r.status();
  if (r->rows() != 1) return Status::Internal("expected one row");
  return std::string(r->Get(0, 0));
}

TEST(PgHarness, ConnectsCreatesDatabasesAndSurvivesAnOutage) {
  TestPostgres& pg = TestPostgres::Shared();
  ASSERT_TRUE(pg.status().ok()) << pg.status().message();

  auto who = QueryOne(pg.conninfo(), "SELECT current_user || ' ' || current_database()");
  ASSERT_TRUE(who.ok()) << who.status().message();
  EXPECT_EQ(*who, "landslide landslide");
  auto settings =
      QueryOne(pg.conninfo(),
               "SELECT current_setting('fsync') || current_setting('synchronous_commit')"
               " || current_setting('wal_level') || current_setting('server_version_num')");
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->substr(0, 11), "ononreplica");
  EXPECT_EQ(settings->substr(11, 2), "15");
  // The WAL settings (cluster::WalSettings) are accepted by this server and in force.
  auto wal = QueryOne(pg.conninfo(),
                      "SELECT current_setting('max_wal_size') || ' ' || "
                      "current_setting('wal_compression') || ' ' || "
                      "current_setting('checkpoint_timeout')");
  ASSERT_TRUE(wal.ok()) << wal.status().message();
  EXPECT_EQ(*wal, "4GB lz4 15min");

  std::string db = pg.CreateDatabase("harness_smoke");
  {
    auto conn = db::PgConnection::Connect(db, seconds(5));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (1)").ok());
    // Recreating drops it even while this session is still connected.
    std::string again = pg.CreateDatabase("harness_smoke");
    EXPECT_EQ(again, db);
  }
  auto tables = QueryOne(db, "SELECT count(*) FROM pg_tables WHERE tablename = 't'");
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  EXPECT_EQ(*tables, "0");

  pid_t first = pg.postmaster_pid();
  pg.Stop();
  EXPECT_EQ(pg.postmaster_pid(), -1);
  EXPECT_EQ(kill(first, 0), -1);
  auto down = db::PgConnection::Connect(db, seconds(2));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), Code::kUnavailable);

  pg.Start();
  EXPECT_NE(pg.postmaster_pid(), first);
  auto up = QueryOne(db, "SELECT 42");
  ASSERT_TRUE(up.ok()) << up.status().message();
  EXPECT_EQ(*up, "42");
}

TEST(PgHarness, RunsAsPostgresAndComesBackAfterKill9) {
  TestPostgres& pg = TestPostgres::Shared();
  ASSERT_TRUE(pg.status().ok()) << pg.status().message();
  if (geteuid() == 0) {
    struct stat st {};
    ASSERT_EQ(stat(("/proc/" + std::to_string(pg.postmaster_pid())).c_str(), &st), 0);
    auto ids = os::LookUpUser("postgres");
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(st.st_uid, ids->uid);
  }
  std::string db = pg.CreateDatabase("harness_crash");
  auto conn = db::PgConnection::Connect(db, seconds(5));
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (7)").ok());
  ASSERT_TRUE(pg.server()->Kill9().ok());
  EXPECT_FALSE((*conn)->Exec("SELECT 1").ok());
  pg.Start();
  // A committed row survives the crash.
  auto x = QueryOne(db, "SELECT x FROM t");
  ASSERT_TRUE(x.ok()) << x.status().message();
  EXPECT_EQ(*x, "7");
}

// `landslide up` restarts a region by starting a new LocalPostgres on the old directory.
TEST(LocalPostgresRestart, ReusesAnExistingDataDirectory) {
  char tmpl[] = "/tmp/landslide-pg-reuse-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path top = tmpl;
  chmod(top.c_str(), 0711);
  auto port = os::FindFreePort();
  ASSERT_TRUE(port.ok());
  cluster::LocalPostgresOptions o;
  o.dir = top / "pg";
  o.port = *port;
  o.shared_buffers = "32MB";
  o.skip_initdb_sync = true;
  {
    auto pg = cluster::LocalPostgres::Create(o);
    ASSERT_TRUE(pg.ok()) << pg.status().message();
    ASSERT_TRUE((*pg)->Start().ok());
    ASSERT_TRUE((*pg)->Start().ok());  // a no-op while it runs
    auto conn = db::PgConnection::Connect((*pg)->conninfo(), seconds(5));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    ASSERT_TRUE((*conn)->Exec("CREATE TABLE kept (x int); INSERT INTO kept VALUES (5)").ok());
    // A second server on the same directory is refused while the first runs.
    auto twin = cluster::LocalPostgres::Create(o);
    ASSERT_TRUE(twin.ok());
    Status refused = (*twin)->Start();
    EXPECT_EQ(refused.code(), Code::kFailedPrecondition) << refused.message();
  }  // the destructor stops the server
  auto pg = cluster::LocalPostgres::Create(o);
  ASSERT_TRUE(pg.ok());
  Status started = (*pg)->Start();
  ASSERT_TRUE(started.ok()) << started.message();
  auto x = QueryOne((*pg)->conninfo(), "SELECT x FROM kept");
  ASSERT_TRUE(x.ok()) << x.status().message();
  EXPECT_EQ(*x, "5");
  ASSERT_TRUE((*pg)->Stop(cluster::StopMode::kImmediate).ok());
  std::filesystem::remove_all(top);
}

}  // namespace
}  // namespace landslide::testing
