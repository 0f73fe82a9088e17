#include "cluster/etcd.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "os/http_client.h"
#include "os/process.h"

namespace landslide::cluster {

namespace fs = std::filesystem;

namespace {
std::string Url(const std::string& host, int port) {
  return "http://" + host + ":" + std::to_string(port);
}
}  // namespace

std::optional<EtcdPeer> FindPeer(const EtcdOptions& options) {
  for (const auto& p : options.cluster) {
    if (p.name == options.name) return p;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> EtcdArgv(const EtcdOptions& o) {
  auto self = FindPeer(o);
  if (!self) return Status::InvalidArgument("etcd member " + o.name + " is not in its cluster");
  if (o.data_dir.empty())
    return Status::InvalidArgument("etcd member " + o.name + " has no data dir");
  std::string initial;
  for (const auto& p : o.cluster) {
    if (!initial.empty()) initial += ",";
    initial += p.name + "=" + Url(p.host, p.peer_port);
  }
  // The --initial-* flags only matter on the first start; afterwards the member reads its
  // identity and peers from the data directory, which is what lets a killed member rejoin.
  const std::string client = Url(self->host, self->client_port);
  const std::string peer = Url(self->host, self->peer_port);
  return std::vector<std::string>{o.etcd_binary,
                                  "--name=" + o.name,
                                  "--data-dir=" + o.data_dir.string(),
                                  "--listen-client-urls=" + client,
                                  "--advertise-client-urls=" + client,
                                  "--listen-peer-urls=" + peer,
                                  "--initial-advertise-peer-urls=" + peer,
                                  "--initial-cluster=" + initial,
                                  "--initial-cluster-state=new",
                                  "--initial-cluster-token=" + o.cluster_token,
                                  "--heartbeat-interval=" + std::to_string(o.heartbeat.count()),
                                  "--election-timeout=" + std::to_string(o.election.count()),
                                  "--logger=zap",
                                  "--log-outputs=stderr"};
}

std::string EtcdClientHosts(const std::vector<EtcdPeer>& cluster) {
  std::string out;
  for (const auto& p : cluster) {
    if (!out.empty()) out += ",";
    out += p.host + ":" + std::to_string(p.client_port);
  }
  return out;
}

Result<os::Process> StartEtcd(const EtcdOptions& o) {
  auto argv = EtcdArgv(o);
  if (!argv.ok()) return argv.status();
  std::error_code ec;
  fs::create_directories(o.data_dir.parent_path(), ec);
  if (ec) {
    return Status::Internal("cannot create " + o.data_dir.parent_path().string() + ": " +
                            ec.message());
  }
  os::ProcessOptions po;
  po.argv = std::move(*argv);
  po.log_file = o.log_file;
  po.parent_death_signal = o.parent_death_signal;
  po.netns = o.netns;
  po.stop_grace = std::chrono::seconds(10);
  auto p = os::Process::Spawn(po);
  if (!p.ok()) return p.status().Context("starting etcd member " + o.name);
  return p;
}

Status WaitForEtcdHealthy(const std::string& host, int client_port,
                          std::chrono::milliseconds timeout,
                          const std::function<Status()>& keep_going) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (true) {
    auto r = os::HttpGet(host, client_port, "/health", std::chrono::milliseconds(1000));
    if (r.ok()) {
      // {"health":"true"} once the member sees a leader; "false" (503) while it has no quorum.
      auto j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
      if (r->status == 200 && j.is_object() && j.value("health", "") == "true") {
        return Status::Ok();
      }
      last = std::to_string(r->status) + " " + r->body.substr(0, 200);
    } else {
      last = r.status().message();
    }
    if (keep_going) LANDSLIDE_RETURN_IF_ERROR(keep_going());
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string message = "etcd on ";
      message.append(host).append(":").append(std::to_string(client_port));
      message.append(" did not become healthy within ")
          .append(std::to_string(timeout.count() / 1000))
          .append(" s (last: ")
          .append(last)
          .append(")");
      return Status::Unavailable(message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace landslide::cluster
