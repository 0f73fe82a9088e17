#include "cluster/cluster_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "os/files.h"

namespace landslide::cluster {
namespace {

TEST(ClusterFile, SingleRegionMatchesTheContract) {
  ClusterInfo info;
  info.db = "host=127.0.0.1 port=7010 dbname=landslide user=landslide";
  info.keys = "/tmp/c/keys";
  RegionInfo r;
  r.name = "us-east";
  r.http = "http://127.0.0.1:7000";
  r.replica = info.db;
  r.pids = {{"serve", 100}, {"postgres", 101}};
  info.regions.push_back(r);
  auto j = nlohmann::json::parse(ClusterInfoToJson(info));
  EXPECT_EQ(j["db"], info.db);
  EXPECT_EQ(j["keys"], "/tmp/c/keys");
  ASSERT_EQ(j["regions"].size(), 1u);
  const auto& region = j["regions"][0];
  EXPECT_EQ(region["name"], "us-east");
  EXPECT_EQ(region["http"], "http://127.0.0.1:7000");
  EXPECT_EQ(region["replica"], info.db);
  EXPECT_FALSE(region.contains("patroni"));  // only with three regions
  EXPECT_EQ(region["pids"]["serve"], 100);
  EXPECT_EQ(region["pids"]["postgres"], 101);
  EXPECT_EQ(region.size(), 4u);
}

TEST(ClusterFile, RoundTripsThroughAnAtomicWrite) {
  char tmpl[] = "/tmp/landslide-cluster-file-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  ClusterInfo info;
  info.db = "host=a";
  info.keys = "/k";
  RegionInfo r;
  r.name = "us-west";
  r.http = "http://127.0.0.1:7002";
  r.patroni = "http://127.0.0.1:7022";
  r.replica = "host=b";
  r.pids = {{"serve", 1}, {"postgres", 2}, {"patroni", 3}, {"etcd", 4}};
  info.regions = {r, r};
  ASSERT_TRUE(WriteClusterFile(dir / "cluster.json", info).ok());
  auto back = ReadClusterFile(dir / "cluster.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->db, "host=a");
  ASSERT_EQ(back->regions.size(), 2u);
  EXPECT_EQ(back->regions[1].patroni, "http://127.0.0.1:7022");
  EXPECT_EQ(back->regions[1].pids, r.pids);
  // No temporary file is left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1);
  EXPECT_FALSE(ReadClusterFile(dir / "missing.json").ok());
  ASSERT_TRUE(os::WriteFileAtomically(dir / "bad.json", "[1,2").ok());
  EXPECT_FALSE(ReadClusterFile(dir / "bad.json").ok());
  std::filesystem::remove_all(dir);
}

TEST(ClusterFile, UpSettingsRoundTrip) {
  UpSettings s{1, 7100, "/d/keys", "/e.json"};
  auto back = UpSettingsFromJson(UpSettingsToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->regions, 1);
  EXPECT_EQ(back->base_port, 7100);
  EXPECT_EQ(back->keys, "/d/keys");
  EXPECT_EQ(back->election, "/e.json");
  EXPECT_FALSE(back->netns);
  s.netns = true;
  EXPECT_TRUE(UpSettingsFromJson(UpSettingsToJson(s))->netns);
  // up.json from before --netns existed.
  EXPECT_FALSE(UpSettingsFromJson(R"({"regions": 3, "base_port": 7000})")->netns);
  EXPECT_FALSE(UpSettingsFromJson("{}").ok());
}

TEST(ClusterFile, PortsDoNotCollideAcrossRegions) {
  std::set<int> seen;
  for (int i = 0; i < 3; ++i) {
    RegionPorts p = PortsFor(7000, i);
    for (int port : {p.http, p.postgres, p.patroni, p.etcd_client, p.etcd_peer}) {
      EXPECT_TRUE(seen.insert(port).second) << port;
    }
  }
  EXPECT_EQ(PortsFor(7000, 0).http, 7000);
  EXPECT_EQ(PortsFor(7000, 2).http, 7002);
  EXPECT_EQ(RegionNames().front(), "us-east");
}

}  // namespace
}  // namespace landslide::cluster
