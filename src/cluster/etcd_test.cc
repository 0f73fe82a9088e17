#include "cluster/etcd.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace landslide::cluster {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(Etcd, CommandLineNamesEveryPeerAndTheFastTimings) {
  EtcdOptions o;
  o.name = "us-west";
  o.data_dir = "/tmp/c/us-west/etcd";
  o.cluster = {{"us-east", 7030, 7040}, {"us-central", 7031, 7041}, {"us-west", 7032, 7042}};
  auto argv = EtcdArgv(o);
  ASSERT_TRUE(argv.ok()) << argv.status().message();
  EXPECT_EQ((*argv)[0], "etcd");
  EXPECT_TRUE(Has(*argv, "--name=us-west"));
  EXPECT_TRUE(Has(*argv, "--data-dir=/tmp/c/us-west/etcd"));
  EXPECT_TRUE(Has(*argv, "--listen-client-urls=http://127.0.0.1:7032"));
  EXPECT_TRUE(Has(*argv, "--listen-peer-urls=http://127.0.0.1:7042"));
  EXPECT_TRUE(Has(*argv,
                  "--initial-cluster=us-east=http://127.0.0.1:7040,"
                  "us-central=http://127.0.0.1:7041,us-west=http://127.0.0.1:7042"));
  EXPECT_TRUE(Has(*argv, "--heartbeat-interval=50"));
  EXPECT_TRUE(Has(*argv, "--election-timeout=500"));
  EXPECT_EQ(EtcdClientHosts(o.cluster), "127.0.0.1:7030,127.0.0.1:7031,127.0.0.1:7032");
  o.cluster[1].host = "10.27.88.2";
  EXPECT_EQ(EtcdClientHosts(o.cluster), "127.0.0.1:7030,10.27.88.2:7031,127.0.0.1:7032");
  o.name = "us-central";
  argv = EtcdArgv(o);
  ASSERT_TRUE(argv.ok());
  EXPECT_TRUE(Has(*argv, "--advertise-client-urls=http://10.27.88.2:7031"));
  EXPECT_TRUE(Has(*argv, "--initial-advertise-peer-urls=http://10.27.88.2:7041"));
}

TEST(Etcd, RefusesAMemberOutsideItsCluster) {
  EtcdOptions o;
  o.name = "eu-west";
  o.data_dir = "/tmp/c/eu-west/etcd";
  o.cluster = {{"us-east", 7030, 7040}};
  EXPECT_FALSE(EtcdArgv(o).ok());
  o.name = "us-east";
  o.data_dir.clear();
  EXPECT_FALSE(EtcdArgv(o).ok());
}

}  // namespace
}  // namespace landslide::cluster
