#include "cluster/patroni.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cluster/local_postgres.h"
#include "os/endpoint.h"
#include "os/files.h"
#include "os/http_client.h"
#include "os/process.h"
#include "os/users.h"

namespace landslide::cluster {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A YAML double-quoted scalar. JSON's string syntax is a subset of YAML's, so a JSON dump quotes
// paths and passwords safely whatever they contain.
std::string Q(const std::string& s) { return json(s).dump(); }

std::string HostPort(const std::string& host, int port) {
  return host + ":" + std::to_string(port);
}

Status MakePrivateDir(const fs::path& p, const std::optional<os::UserIds>& owner) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) return Status::Internal("cannot create " + p.string() + ": " + ec.message());
  if (chmod(p.c_str(), 0700) != 0) {
    return Status::Internal("cannot chmod " + p.string() + ": " + std::strerror(errno));
  }
  return os::ChownTo(p, owner);
}

}  // namespace

Status CheckTiming(const PatroniTiming& t) {
  if (t.ttl <= 0 || t.loop_wait <= 0 || t.retry_timeout <= 0 ||
      t.loop_wait + 2 * t.retry_timeout > t.ttl) {
    return Status::InvalidArgument(
        "Patroni timings must satisfy loop_wait + 2 x retry_timeout <= ttl (got ttl " +
        std::to_string(t.ttl) + ", loop_wait " + std::to_string(t.loop_wait) + ", retry_timeout " +
        std::to_string(t.retry_timeout) + ")");
  }
  return Status::Ok();
}

fs::path PatroniDataDir(const PatroniMemberOptions& o) { return o.dir / "data"; }
fs::path PatroniSocketDir(const PatroniMemberOptions& o) { return o.dir / "run"; }
fs::path PatroniConfigPath(const PatroniMemberOptions& o) { return o.dir / "patroni.yml"; }

std::string PatroniConfigYaml(const PatroniMemberOptions& o) {
  const PatroniTiming& t = o.timing;
  const std::string auth =
      "{username: " + Q("postgres") + ", password: " + Q(o.superuser_password) + "}";
  std::ostringstream y;
  y << "# Written by `landslide up` on every start from src/cluster/patroni.cc; edits are lost.\n"
    << "scope: " << Q(o.scope) << "\n"
    << "namespace: " << Q("/landslide/") << "\n"
    << "name: " << Q(o.name) << "\n"
    << "log:\n  level: INFO\n"
    << "restapi:\n"
    << "  listen: " << Q(HostPort(o.host, o.rest_port)) << "\n"
    << "  connect_address: " << Q(HostPort(o.host, o.rest_port)) << "\n"
    << "etcd3:\n"
    << "  hosts: " << Q(EtcdClientHosts(o.etcd)) << "\n"
    << "  protocol: http\n"
    // Applied once, when the first leader creates the cluster; afterwards etcd holds them.
    << "bootstrap:\n"
    << "  dcs:\n"
    << "    ttl: " << t.ttl << "\n"
    << "    loop_wait: " << t.loop_wait << "\n"
    << "    retry_timeout: " << t.retry_timeout << "\n"
    << "    maximum_lag_on_failover: 1048576\n"
    // A commit returns only once one standby has it, and with `strict` even when no standby is
    // left; Patroni promotes only that synchronous standby. This is invariant 2.
    << "    synchronous_mode: true\n"
    << "    synchronous_mode_strict: true\n"
    << "    synchronous_node_count: 1\n"
    << "    postgresql:\n"
    // A failed primary comes back as a standby by rewinding its divergent WAL.
    << "      use_pg_rewind: true\n"
    << "      use_slots: true\n"
    << "      parameters:\n"
    << "        wal_level: replica\n"
    << "        hot_standby: \"on\"\n"
    << "        wal_log_hints: \"on\"\n"
    << "        max_wal_senders: 10\n"
    << "        max_replication_slots: 10\n"
    << "        max_connections: 200\n"
    << "  initdb:\n"
    << "  - encoding: UTF8\n"
    << "  - locale: C\n"
    << "  - data-checksums\n"
    << "postgresql:\n"
    << "  listen: " << Q(HostPort(o.host, o.postgres_port)) << "\n"
    << "  connect_address: " << Q(HostPort(o.host, o.postgres_port)) << "\n"
    << "  data_dir: " << Q(PatroniDataDir(o).string()) << "\n"
    << "  bin_dir: " << Q(o.bin_dir.string()) << "\n"
    << "  pgpass: " << Q((o.dir / "pgpass").string()) << "\n"
    << "  use_unix_socket: true\n"
    << "  authentication:\n"
    << "    superuser: " << auth << "\n"
    << "    replication: {username: " << Q(o.replication_user)
    << ", password: " << Q(o.superuser_password) << "}\n"
    << "    rewind: " << auth << "\n"
    << "  parameters:\n"
    << "    unix_socket_directories: " << Q(PatroniSocketDir(o).string()) << "\n"
    << "    unix_socket_permissions: \"0700\"\n"
    << "    shared_buffers: " << Q(o.shared_buffers)
    << "\n"
    // A ballot is acknowledged only once durable: never trade these for speed.
    << "    fsync: \"on\"\n"
    << "    synchronous_commit: \"on\"\n"
    << "    full_page_writes: \"on\"\n"
    // After a failover the surviving standby retries its new primary every half second, not
    // every five: until it streams again, strict synchronous mode blocks every commit.
    << "    wal_retrieve_retry_interval: 500ms\n"
    // A standby cut off by the network (no FIN, no RST) is dropped after this long instead of
    // PostgreSQL's 60 s; until then strict synchronous mode waits for it, so every commit stalls
    // (measured: tests/cluster/isolated_region_test.cc). Each side asks for a reply after half of
    // it, so a live peer is never dropped, even with wal_receiver_status_interval at 10 s.
    << "    wal_sender_timeout: 5s\n"
    << "    wal_receiver_timeout: 5s\n"
    << "    recovery_init_sync_method: syncfs\n";
  for (const auto& [name, value] : WalSettings()) y << "    " << name << ": " << Q(value) << "\n";
  y << "    log_line_prefix: " << Q("%m [%p] ") << "\n"
    << "    log_timezone: UTC\n"
    << "    timezone: UTC\n"
    << "  pg_hba:\n"
    << "  - local all all trust\n"
    << "  - host all " << o.app_role << " " << o.trusted_network << " trust\n"
    << "  - host replication " << o.replication_user << " " << o.trusted_network << " trust\n"
    << "  - host all all " << o.trusted_network << " scram-sha-256\n";
  return y.str();
}

Result<os::Process> StartPatroni(const PatroniMemberOptions& o, const PatroniStart& how) {
  std::optional<os::UserIds> owner;
  if (geteuid() == 0) {
    auto ids = os::LookUpUser(how.os_user);
    if (!ids.ok()) {
      return Status::FailedPrecondition(
          "PostgreSQL refuses to run as root and user " + how.os_user +
          " does not exist; install the postgresql package (it creates that user)");
    }
    owner = std::move(*ids);
  }
  LANDSLIDE_RETURN_IF_ERROR(MakePrivateDir(o.dir, owner));
  LANDSLIDE_RETURN_IF_ERROR(MakePrivateDir(PatroniSocketDir(o), owner));
  // The config holds the superuser's password.
  LANDSLIDE_RETURN_IF_ERROR(
      os::WriteFileAs(PatroniConfigPath(o), PatroniConfigYaml(o), 0600, owner));
  os::ProcessOptions po;
  po.argv = {how.patroni_binary, PatroniConfigPath(o).string()};
  po.user = owner ? owner->name : "";
  po.cwd = o.dir;
  po.log_file = how.log_file;
  po.env = {{"LC_ALL", "C.UTF-8"}, {"TZ", "UTC"}};
  po.parent_death_signal = how.parent_death_signal;
  po.netns = how.netns;
  // Patroni stops its PostgreSQL (fast shutdown, checkpoint) before it exits.
  po.stop_grace = std::chrono::seconds(60);
  auto p = os::Process::Spawn(po);
  if (!p.ok()) return p.status().Context("starting Patroni for " + o.name);
  return p;
}

Result<std::vector<PatroniMember>> ParsePatroniCluster(const std::string& text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object() || !root.contains("members") ||
      !root["members"].is_array()) {
    return Status::Unavailable("Patroni's /cluster answer has no member list");
  }
  std::vector<PatroniMember> out;
  for (const auto& m : root["members"]) {
    if (!m.is_object()) continue;
    PatroniMember pm;
    pm.name = m.value("name", "");
    pm.role = m.value("role", "");
    pm.state = m.value("state", "");
    if (m.contains("port") && m["port"].is_number_integer()) pm.port = m["port"].get<int>();
    if (m.contains("timeline") && m["timeline"].is_number_integer()) {
      pm.timeline = m["timeline"].get<int>();
    }
    // "lag" is a number of bytes, or the string "unknown".
    if (m.contains("lag") && m["lag"].is_number_integer()) pm.lag = m["lag"].get<int64_t>();
    out.push_back(std::move(pm));
  }
  return out;
}

Result<std::vector<PatroniMember>> GetPatroniCluster(const std::string& host, int rest_port,
                                                     std::chrono::milliseconds timeout) {
  auto r = os::HttpGet(host, rest_port, "/cluster", timeout);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return Status::Unavailable("Patroni's /cluster answered " + std::to_string(r->status));
  }
  return ParsePatroniCluster(r->body);
}

Result<std::vector<PatroniMember>> GetPatroniCluster(const std::string& rest_url,
                                                     std::chrono::milliseconds timeout) {
  auto hp = os::HostPortOfUrl(rest_url);  // "http://HOST:PORT"
  if (!hp) return Status::InvalidArgument("no port in " + rest_url);
  return GetPatroniCluster(hp->first, hp->second, timeout);
}

Result<PatroniMember> GetPatroniSelf(const std::string& host, int rest_port,
                                     std::chrono::milliseconds timeout) {
  auto r = os::HttpGet(host, rest_port, "/patroni", timeout);
  if (!r.ok()) return r.status();
  // 200 for a running primary or standby, 503 otherwise; both carry the state.
  json j = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Unavailable("Patroni's /patroni answer is not a JSON object");
  }
  PatroniMember m;
  m.role = j.value("role", "");
  m.state = j.value("state", "");
  if (j.contains("timeline") && j["timeline"].is_number_integer()) {
    m.timeline = j["timeline"].get<int>();
  }
  if (j.contains("patroni") && j["patroni"].is_object()) m.name = j["patroni"].value("name", "");
  return m;
}

const PatroniMember* FindRunning(const std::vector<PatroniMember>& members, std::string_view role) {
  for (const auto& m : members) {
    if (m.role == role && m.state == "running") return &m;
  }
  return nullptr;
}

const PatroniMember* FindMember(const std::vector<PatroniMember>& members, std::string_view name) {
  for (const auto& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string DescribeMembers(const std::vector<PatroniMember>& members) {
  if (members.empty()) return "no members yet";
  std::string out;
  for (const auto& m : members) {
    if (!out.empty()) out += ", ";
    out += m.name + " " + m.role + " " + m.state;
  }
  return out;
}

bool IsPostmasterOf(pid_t pid, const fs::path& data_dir) {
  if (pid <= 0 || os::IsGone(pid)) return false;
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Arguments are NUL-separated: "postgres\0-D\0<data_dir>\0...".
  std::vector<std::string> args;
  std::string cur;
  for (char c : cmdline) {
    if (c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (args.empty() || fs::path(args[0]).filename() != "postgres") return false;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-D" && fs::path(args[i + 1]) == data_dir) return true;
  }
  return false;
}

Status StopOrphanPostmaster(pid_t pid, const fs::path& data_dir, std::chrono::milliseconds grace) {
  if (!IsPostmasterOf(pid, data_dir)) return Status::Ok();
  auto wait_gone = [pid](std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!os::IsGone(pid)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  };
  kill(pid, SIGINT);  // fast shutdown: roll back, checkpoint, exit
  if (wait_gone(grace)) return Status::Ok();
  kill(pid, SIGQUIT);  // immediate: crash recovery on the next start
  if (wait_gone(std::chrono::seconds(10))) return Status::Ok();
  return Status::Unavailable("PostgreSQL (pid " + std::to_string(pid) + ") on " +
                             data_dir.string() + " did not stop");
}

}  // namespace landslide::cluster
