// The Patroni member configuration Landslide depends on, and reading Patroni's REST answers.
// Real Patroni processes run in tests/integration/up_three_regions_test.cc.
#include "cluster/patroni.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace landslide::cluster {
namespace {

PatroniMemberOptions Options() {
  PatroniMemberOptions o;
  o.name = "us-central";
  o.dir = "/tmp/ls x/us-central/postgres";  // a space: paths must be quoted
  o.postgres_port = 7011;
  o.rest_port = 7021;
  o.etcd = {{"us-east", 7030, 7040}, {"us-central", 7031, 7041}, {"us-west", 7032, 7042}};
  o.bin_dir = "/usr/lib/postgresql/15/bin";
  o.superuser_password = "pa\"ss";
  return o;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PatroniConfig, WritesTheSettingsTheElectionDependsOn) {
  const std::string y = PatroniConfigYaml(Options());
  // Invariant 2: a commit is on a standby before it returns, even with no standby left.
  EXPECT_TRUE(Has(y, "    synchronous_mode: true\n"));
  EXPECT_TRUE(Has(y, "    synchronous_mode_strict: true\n"));
  EXPECT_TRUE(Has(y, "    synchronous_node_count: 1\n"));
  EXPECT_TRUE(Has(y, "      use_pg_rewind: true\n"));
  EXPECT_TRUE(Has(y, "      use_slots: true\n"));
  EXPECT_TRUE(Has(y, "    fsync: \"on\"\n"));
  EXPECT_TRUE(Has(y, "    synchronous_commit: \"on\"\n"));
  EXPECT_TRUE(Has(y, "  - data-checksums\n"));
  EXPECT_TRUE(Has(y, "    ttl: 5\n    loop_wait: 1\n    retry_timeout: 2\n"));
  EXPECT_TRUE(Has(y, "  hosts: \"127.0.0.1:7030,127.0.0.1:7031,127.0.0.1:7032\"\n"));
  EXPECT_TRUE(Has(y, "  listen: \"127.0.0.1:7021\"\n"));
  EXPECT_TRUE(Has(y, "  listen: \"127.0.0.1:7011\"\n"));
  EXPECT_TRUE(Has(y, "  data_dir: \"/tmp/ls x/us-central/postgres/data\"\n"));
  EXPECT_TRUE(Has(y, "    unix_socket_directories: \"/tmp/ls x/us-central/postgres/run\"\n"));
  EXPECT_TRUE(Has(y, "password: \"pa\\\"ss\""));  // JSON-escaped, valid YAML
}

TEST(PatroniConfig, TrustsOnlyTheApplicationAndReplicationOnLoopback) {
  const std::string y = PatroniConfigYaml(Options());
  EXPECT_TRUE(Has(y, "  - local all all trust\n"));
  EXPECT_TRUE(Has(y, "  - host all landslide 127.0.0.1/32 trust\n"));
  EXPECT_TRUE(Has(y, "  - host replication replicator 127.0.0.1/32 trust\n"));
  EXPECT_TRUE(Has(y, "  - host all all 127.0.0.1/32 scram-sha-256\n"));
  EXPECT_TRUE(Has(y, "    wal_sender_timeout: 5s\n"));
  EXPECT_TRUE(Has(y, "    max_wal_size: \"4GB\"\n")) << y;
  EXPECT_TRUE(Has(y, "    wal_compression: \"lz4\"\n")) << y;
  // With --netns: the member's own address, and the region subnet trusted like loopback.
  PatroniMemberOptions o = Options();
  o.host = "10.27.88.2";
  o.trusted_network = "10.27.88.0/24";
  const std::string n = PatroniConfigYaml(o);
  EXPECT_TRUE(Has(n, "  connect_address: \"10.27.88.2:7021\"\n"));
  EXPECT_TRUE(Has(n, "  connect_address: \"10.27.88.2:7011\"\n"));
  EXPECT_TRUE(Has(n, "  - host replication replicator 10.27.88.0/24 trust\n"));
  EXPECT_FALSE(Has(y, "0.0.0.0"));
}

TEST(PatroniConfig, TimingsMustLetPatroniRetryWithinTheTtl) {
  EXPECT_TRUE(CheckTiming({5, 1, 2}).ok());
  EXPECT_TRUE(CheckTiming({10, 2, 4}).ok());
  EXPECT_FALSE(CheckTiming({5, 2, 2}).ok());
  EXPECT_FALSE(CheckTiming({0, 1, 1}).ok());
}

TEST(PatroniRest, ParsesTheClusterAnswer) {
  auto m = ParsePatroniCluster(R"({"members": [
    {"name": "us-central", "role": "sync_standby", "state": "running", "host": "127.0.0.1",
     "port": 7011, "timeline": 2, "lag": 0},
    {"name": "us-east", "role": "leader", "state": "running", "port": 7010, "timeline": 2},
    {"name": "us-west", "role": "replica", "state": "starting", "port": 7012, "lag": "unknown"}
  ]})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ(FindRunning(*m, "leader")->name, "us-east");
  EXPECT_EQ(FindRunning(*m, "sync_standby")->lag, 0);
  EXPECT_EQ(FindRunning(*m, "replica"), nullptr);  // not running yet
  EXPECT_FALSE(FindMember(*m, "us-west")->lag.has_value());
  EXPECT_FALSE(FindMember(*m, "us-east")->lag.has_value());
  EXPECT_EQ(FindMember(*m, "us-east")->timeline, 2);
  EXPECT_EQ(DescribeMembers(*m),
            "us-central sync_standby running, us-east leader running, us-west replica starting");
  EXPECT_FALSE(ParsePatroniCluster("not json").ok());
  EXPECT_FALSE(ParsePatroniCluster("{}").ok());
}

TEST(Postmaster, OnlyAPostgresOnThatDataDirIsOne) {
  EXPECT_FALSE(IsPostmasterOf(getpid(), "/tmp/nowhere/data"));
  EXPECT_FALSE(IsPostmasterOf(-1, "/tmp/nowhere/data"));
  EXPECT_TRUE(StopOrphanPostmaster(getpid(), "/tmp/nowhere/data", std::chrono::seconds(1)).ok());
}

}  // namespace
}  // namespace landslide::cluster
