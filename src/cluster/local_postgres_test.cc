// What LocalPostgres decides before any server runs; the servers themselves are exercised by
// tests/integration/pg_harness_test.cc.
#include "cluster/local_postgres.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/ports.h"
#include "os/users.h"

namespace landslide::cluster {
namespace {

namespace fs = std::filesystem;

TEST(LocalPostgres, RefusesTheSystemPortAndBadOptions) {
  LocalPostgresOptions o;
  o.dir = "/tmp/landslide-never-created";
  o.port = 5432;
  auto pg = LocalPostgres::Create(o);
  ASSERT_FALSE(pg.ok());
  EXPECT_NE(pg.status().message().find("5432"), std::string::npos);
  o.port = 0;
  EXPECT_FALSE(LocalPostgres::Create(o).ok());
  o.port = 7010;
  o.dir = "";
  EXPECT_FALSE(LocalPostgres::Create(o).ok());
  o.dir = "/tmp/" + std::string(120, 'd');
  pg = LocalPostgres::Create(o);
  ASSERT_FALSE(pg.ok());
  EXPECT_NE(pg.status().message().find("too deep"), std::string::npos);
  EXPECT_FALSE(fs::exists(o.dir));  // Create starts nothing and creates nothing
}

TEST(LocalPostgres, ConninfoNamesLoopbackRoleAndDatabase) {
  LocalPostgresOptions o;
  o.dir = "/tmp/landslide-never-created/x/";
  o.port = 7010;
  auto pg = LocalPostgres::Create(o);
  if (!pg.ok()) GTEST_SKIP() << pg.status().message();  // no PostgreSQL installed
  EXPECT_EQ((*pg)->conninfo(), "host=127.0.0.1 port=7010 dbname=landslide user=landslide");
  EXPECT_EQ((*pg)->conninfo("other db"),
            "host=127.0.0.1 port=7010 dbname='other db' user=landslide");
  EXPECT_EQ((*pg)->dir(), fs::path("/tmp/landslide-never-created/x"));
  EXPECT_EQ((*pg)->superuser_conninfo(),
            "host=/tmp/landslide-never-created/x/run port=7010 dbname=postgres user=postgres");
  EXPECT_EQ((*pg)->log_file(), fs::path("/tmp/landslide-never-created/x/postgres.log"));
  EXPECT_TRUE(fs::exists((*pg)->bin_dir() / "initdb"));
  EXPECT_EQ((*pg)->postmaster_pid(), -1);
  EXPECT_FALSE((*pg)->Running());
  EXPECT_TRUE((*pg)->Stop().ok());  // nothing to stop is not an error
}

TEST(LocalPostgres, NamesTheDirectoryThatBlocksTheServerUser) {
  char tmpl[] = "/tmp/landslide-traverse-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  fs::path top = tmpl;
  fs::create_directories(top / "a" / "b");
  os::UserIds stranger{"stranger", 65000, 65000, "/", {65000}};
  chmod(top.c_str(), 0700);
  Status s = CheckTraversable(top / "a" / "b", stranger);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find(top.string() + " is not searchable"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("chmod o+x " + top.string()), std::string::npos);
  chmod(top.c_str(), 0711);
  EXPECT_TRUE(CheckTraversable(top / "a" / "b", stranger).ok());
  // Owner and group bits count for their owner and group.
  chmod(top.c_str(), 0710);
  EXPECT_FALSE(CheckTraversable(top / "a", stranger).ok());
  if (geteuid() == 0) {
    ASSERT_EQ(chown(top.c_str(), 0, 65000), 0);
    EXPECT_TRUE(CheckTraversable(top / "a", stranger).ok());
  }
  EXPECT_FALSE(CheckTraversable(top / "missing", stranger).ok());
  fs::remove_all(top);
}

TEST(LocalPostgres, FindsBinariesAndFreePorts) {
  auto bin = FindPostgresBinDir();
  if (!bin.ok()) GTEST_SKIP() << bin.status().message();
  EXPECT_TRUE(fs::exists(*bin / "postgres"));
  auto port = os::FindFreePort();
  ASSERT_TRUE(port.ok());
  EXPECT_GT(*port, 0);
  EXPECT_TRUE(os::PortIsFree(*port));
  EXPECT_FALSE(LivePostmaster("/tmp/landslide-no-such-data-dir").has_value());
}

}  // namespace
}  // namespace landslide::cluster
