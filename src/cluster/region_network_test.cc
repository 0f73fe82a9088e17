#include "cluster/region_network.h"

#include <gtest/gtest.h>

namespace landslide::cluster {
namespace {

TEST(RegionNetwork, NamesAndSubnetDeriveFromTheBasePort) {
  const RegionNetwork n = PlanRegionNetwork(7000, 3);  // 7000 = 0x1b58 -> 27.88
  EXPECT_EQ(n.bridge, "ls7000br");
  EXPECT_EQ(n.bridge_address, "10.27.88.254");
  EXPECT_EQ(n.subnet, "10.27.88.0/24");
  EXPECT_EQ(n.namespaces, (std::vector<std::string>{"ls7000-0", "ls7000-1", "ls7000-2"}));
  EXPECT_EQ(n.addresses, (std::vector<std::string>{"10.27.88.1", "10.27.88.2", "10.27.88.3"}));
  EXPECT_EQ(n.veths, (std::vector<std::string>{"ls7000v0", "ls7000v1", "ls7000v2"}));
  EXPECT_EQ(n.NamespacePath(1), "/run/netns/ls7000-1");
  // Interface names must fit the kernel's 15 characters, even for the highest base port.
  const RegionNetwork high = PlanRegionNetwork(65485, 3);
  EXPECT_LE(high.bridge.size(), 15u);
  EXPECT_LE(high.veths[2].size(), 15u);
  EXPECT_EQ(high.subnet, "10.255.205.0/24");
  EXPECT_NE(PlanRegionNetwork(7050, 3).subnet, n.subnet);
}

TEST(RegionNetwork, OverlapUsesTheShorterPrefix) {
  const uint32_t ours = 0x0a1b5800;                                         // 10.27.88.0
  EXPECT_TRUE(SubnetsOverlap(ours, 0xffffff00u, 0x0a000000, 0xff000000));   // 10.0.0.0/8
  EXPECT_TRUE(SubnetsOverlap(ours, 0xffffff00u, 0x0a1b5880, 0xffffff80));   // 10.27.88.128/25
  EXPECT_FALSE(SubnetsOverlap(ours, 0xffffff00u, 0x0a1b5900, 0xffffff00));  // 10.27.89.0/24
  EXPECT_FALSE(SubnetsOverlap(ours, 0xffffff00u, 0xc0000200, 0xffffff00));  // 192.0.2.0/24
}

}  // namespace
}  // namespace landslide::cluster
