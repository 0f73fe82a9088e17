#include "cluster/ha_region.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/local_cluster.h"
#include "support/temp_dir.h"

namespace landslide::cluster {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

TEST(HaRegions, LayOutPortsConninfoAndPeers) {
  auto regions = LayOutRegions("/tmp/c", 7000, "/usr/lib/postgresql/15/bin", "pw", HaTimings{});
  ASSERT_EQ(regions.size(), 3u);
  const HaRegion& west = *regions[2];
  EXPECT_EQ(west.name, "us-west");
  EXPECT_EQ(west.replica_conninfo(), "host=127.0.0.1 port=7012 dbname=landslide user=landslide");
  EXPECT_EQ(west.superuser_conninfo(),
            "host=/tmp/c/us-west/postgres/run port=7012 dbname=postgres user=postgres");
  EXPECT_EQ(west.patroni_url(), "http://127.0.0.1:7022");
  EXPECT_EQ(west.data_dir(), "/tmp/c/us-west/postgres/data");
  EXPECT_EQ(west.etcd_options.data_dir, "/tmp/c/us-west/etcd");
  EXPECT_EQ(west.etcd_options.cluster.size(), 3u);
  EXPECT_EQ(west.patroni_options.etcd[0].client_port, 7030);
  EXPECT_EQ(west.patroni_log(), "/tmp/c/logs/us-west-patroni.log");
  EXPECT_EQ(PrimaryConninfo(regions),
            "host=127.0.0.1,127.0.0.1,127.0.0.1 port=7010,7011,7012 dbname=landslide "
            "user=landslide target_session_attrs=read-write");
  RegionInfo info = west.Info();
  EXPECT_EQ(info.patroni, "http://127.0.0.1:7022");
  EXPECT_EQ(info.pids.size(), 4u);
}

TEST(HaRegions, WithNamespacesEachRegionListensOnAndAdvertisesItsAddress) {
  const RegionNetwork net = PlanRegionNetwork(7000, 3);
  auto regions =
      LayOutRegions("/tmp/c", 7000, "/usr/lib/postgresql/15/bin", "pw", HaTimings{}, &net);
  ASSERT_EQ(regions.size(), 3u);
  const HaRegion& west = *regions[2];
  EXPECT_EQ(west.host, "10.27.88.3");
  EXPECT_EQ(west.netns, "/run/netns/ls7000-2");
  EXPECT_EQ(west.etcd_options.netns, "/run/netns/ls7000-2");
  EXPECT_EQ(west.replica_conninfo(), "host=10.27.88.3 port=7012 dbname=landslide user=landslide");
  EXPECT_EQ(west.patroni_url(), "http://10.27.88.3:7022");
  EXPECT_EQ(west.Info().http, "http://10.27.88.3:7002");
  EXPECT_EQ(west.patroni_options.host, "10.27.88.3");
  EXPECT_EQ(west.patroni_options.trusted_network, "10.27.88.0/24");
  EXPECT_EQ(west.patroni_options.etcd[0].host, "10.27.88.1");
  EXPECT_EQ(PrimaryConninfo(regions),
            "host=10.27.88.1,10.27.88.2,10.27.88.3 port=7010,7011,7012 dbname=landslide "
            "user=landslide target_session_attrs=read-write");
}

TEST(HaRegions, PasswordIsCreatedOncePrivateAndReadBack) {
  TempDir dir("ls-ha-unit");
  ASSERT_FALSE(dir.path().empty());
  const fs::path file = dir.path() / "postgres.password";
  EXPECT_FALSE(LoadOrCreatePassword(file, /*create=*/false).ok());
  auto pw = LoadOrCreatePassword(file, /*create=*/true);
  ASSERT_TRUE(pw.ok()) << pw.status().message();
  EXPECT_EQ(pw->size(), 32u);
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreatePassword(file, /*create=*/true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *pw);
}

TEST(ClusterFile, RestartingARegionReplacesOnlyItsEntry) {
  TempDir dir("ls-ha-unit");
  ASSERT_FALSE(dir.path().empty());
  const fs::path path = dir.path() / "cluster.json";
  auto regions = LayOutRegions(dir.path(), 7000, "/bin", "pw", HaTimings{});
  // Live pids stand for serves: ours (this process) and another `up`'s (init, pid 1).
  const int ours = getpid();
  const int theirs = 1;
  std::vector<RegionInfo> all;
  for (auto& r : regions) {
    r->serve.pid = ours;
    all.push_back(r->Info());
  }
  ASSERT_TRUE(UpdateClusterFile(path, PrimaryConninfo(regions), "/k", all, false).ok());
  EXPECT_TRUE(ClusterFileIsOurs(path, {ours}));
  EXPECT_FALSE(ClusterFileIsOurs(path, {theirs}));

  regions[1]->serve.pid = theirs;
  ASSERT_TRUE(UpdateClusterFile(path, "", "/k", {regions[1]->Info()}, true).ok());
  auto info = ReadClusterFile(path);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->regions.size(), 3u);
  EXPECT_EQ(info->db, PrimaryConninfo(regions));
  EXPECT_EQ(info->regions[0].pids.at("serve"), ours);
  EXPECT_EQ(info->regions[1].name, "us-central");
  EXPECT_EQ(info->regions[1].pids.at("serve"), theirs);
  EXPECT_EQ(info->regions[2].pids.at("serve"), ours);
  // A live serve of another `up` keeps the file; a dead one does not.
  EXPECT_FALSE(ClusterFileIsOurs(path, {ours}));
  regions[1]->serve.pid = 999999999;  // no such process
  ASSERT_TRUE(UpdateClusterFile(path, "", "/k", {regions[1]->Info()}, true).ok());
  EXPECT_TRUE(ClusterFileIsOurs(path, {ours}));
}

}  // namespace
}  // namespace landslide::cluster
