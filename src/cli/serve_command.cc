// `landslide serve`: one region's API, website and tallier, wired from the adapters.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "db/pg_ballot_store.h"
#include "db/pg_read_model.h"
#include "db/schema.h"
#include "http/api.h"
#include "http/server.h"
#include "os/endpoint.h"
#include "os/stop_signals.h"
#include "voting/intake_queue.h"
#include "voting/tallier.h"
#include "voting/vote_service.h"
#include "web/assets.h"

namespace landslide::cli {

namespace {

struct ServeOptions {
  std::string region;
  std::string http = "127.0.0.1:8080";
  std::string db;
  std::string replica;
  std::string election_file;
  std::string keys;
  int threads = 2;
  int writers = 2;
  size_t max_batch = 4096;
  size_t queue_capacity = 100000;
  int linger_us = 1000;
  int vote_deadline_ms = 10000;
  double rate_limit = 20;
  double rate_burst = 40;
  bool rate_limit_loopback = false;
  std::vector<std::string> cors_origins;
  std::vector<std::string> peers;  // NAME=URL
  std::string log_level = "info";
};

bool ValidRegionName(const std::string& r) {
  if (r.empty() || r.size() > 32) return false;
  for (char c : r) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// "us-west=http://127.0.0.1:7002" -> {"us-west", "http://127.0.0.1:7002"}. The URL is an origin
// (scheme, host, port; no path) because browsers compare it with the Origin header.
std::optional<std::pair<std::string, std::string>> ParsePeer(const std::string& peer) {
  const size_t eq = peer.find('=');
  if (eq == std::string::npos) return std::nullopt;
  std::string name = peer.substr(0, eq);
  std::string url = peer.substr(eq + 1);
  const size_t scheme_end = url.find("://");
  if (!ValidRegionName(name) || scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  if (!os::ParseHostPort(url.substr(scheme_end + 3))) return std::nullopt;
  return std::make_pair(std::move(name), std::move(url));
}

int RunServe(const ServeOptions& o) {
  if (!ValidRegionName(o.region)) {
    return Fail(2, "--region must be 1 to 32 characters of a-z, 0-9 and '-'");
  }
  auto hostport = os::ParseHostPort(o.http);
  if (!hostport) return Fail(2, "--http must be HOST:PORT, e.g. 127.0.0.1:8080");
  std::vector<std::pair<std::string, std::string>> regions;
  std::vector<std::string> cors_origins = o.cors_origins;
  for (const std::string& peer : o.peers) {
    auto region = ParsePeer(peer);
    if (!region) {
      return Fail(
          2, "--peer must be NAME=URL with a region name and an http(s)://HOST:PORT URL, not '" +
                 peer + "'");
    }
    // The voter site of each region may post to the others.
    cors_origins.push_back(region->second);
    regions.push_back(std::move(*region));
  }
  spdlog::set_default_logger(spdlog::stderr_logger_mt("serve-" + o.region));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l region=" + o.region + " %v",
                      spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(o.log_level));

  auto election = LoadElectionOrDefault(o.election_file);
  if (!election.ok()) return Fail(1, election.status().message());
  auto keys = LoadKeys(o.keys, SecretKeys::kAll);
  if (!keys.ok()) return Fail(1, keys.status().message());
  const std::string replica = o.replica.empty() ? o.db : o.replica;

  // Block the stop signals in every thread; the main thread waits for them below.
  os::StopSignals stop_signals({.wake_on_child = false, .ignore_sigpipe = true});

  {
    auto conn = db::PgConnection::Connect(o.db, std::chrono::seconds(5));
    Status s = conn.ok() ? db::EnsureSchema(**conn) : conn.status();
    if (!s.ok()) spdlog::warn("event=schema_not_checked error=\"{}\"", s.message());
  }

  MetricsRegistry metrics;
  RegistryHolder registry;
  auto monitor =
      db::StartRegionMonitor(o.db, replica, *election, registry, std::chrono::milliseconds(1000));
  IntakeOptions intake_options;
  intake_options.region = o.region;
  intake_options.capacity = o.queue_capacity;
  intake_options.max_batch = o.max_batch;
  intake_options.linger = std::chrono::microseconds(o.linger_us);
  intake_options.writers = o.writers;
  std::string primary = o.db;
  IntakeQueue intake(
      intake_options, *election, keys->election_public, keys->registry_key,
      [primary]() { return db::OpenPgBallotStore({.conninfo = primary}); }, metrics);
  Tallier tallier(
      *election, *keys->election_secret,
      [replica, board = election->verifiable()]() {
        return db::OpenPgBatchSource(replica, std::chrono::seconds(2), board);
      },
      std::chrono::milliseconds(50), metrics);
  auto reads = db::MakePgReadModel({.replica_conninfo = replica});
  VoterHasher hasher(keys->registry_key);
  VoteService votes(*election, registry, intake, hasher,
                    std::chrono::milliseconds(o.vote_deadline_ms));
  http::RateLimiter limiter({.per_second = o.rate_limit,
                             .burst = o.rate_burst,
                             .exempt_loopback = !o.rate_limit_loopback});

  http::ApiDeps deps;
  deps.region = o.region;
  deps.election = &*election;
  deps.votes = &votes;
  deps.intake = &intake;
  deps.tallier = &tallier;
  deps.reads = reads.get();
  deps.monitor = monitor.get();
  deps.registry = &registry;
  deps.keys = &*keys;
  deps.limiter = &limiter;
  deps.metrics = &metrics;
  deps.cors_origins = std::move(cors_origins);
  deps.regions = std::move(regions);
  for (const auto& a : web::Assets()) {
    http::StaticAsset asset{std::string(web::ContentTypeFor(a.name)), a.body};
    deps.assets["/" + std::string(a.name)] = asset;
    if (a.name == "index.html") deps.assets["/"] = asset;
    if (a.name == "results.html") deps.assets["/results"] = asset;
  }
  http::Api api(std::move(deps));

  intake.Start();
  tallier.Start();
  monitor->WaitFirstPass(std::chrono::seconds(10));
  http::Server server({.host = hostport->first, .port = hostport->second, .threads = o.threads},
                      [&api](http::HttpRequest req, http::Respond respond) {
                        api.Handle(std::move(req), std::move(respond));
                      });
  Status started = server.Start();
  if (!started.ok()) {
    intake.Drain();
    return Fail(1, started.message());
  }
  spdlog::info("event=serving http={}:{} shards={} voters={}", hostport->first, server.port(),
               intake.shards().size(), registry.Get() ? registry.Get()->size() : 0);

  const int sig = stop_signals.Wait();
  // Drain: refuse new ballots, stop accepting, commit what is queued, answer it, then stop.
  spdlog::info("event=draining signal={}", sig);
  api.StartDraining();
  server.StopAccepting();
  intake.Drain();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the last answers go out
  server.Stop();
  // Look-ups still queued answer into the stopped (but still existing) I/O context, so the read
  // model must go before the server object does.
  reads.reset();
  tallier.Stop();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* c = app.add_subcommand("serve", "Run one region's API, website and tallier");
  c->add_option("--region", o->region, "Region name (a-z, 0-9, '-')")->required();
  c->add_option("--http", o->http, "Listen address HOST:PORT")->capture_default_str();
  c->add_option("--db", o->db, "libpq conninfo reaching the primary (multi-host allowed)")
      ->required();
  c->add_option("--replica", o->replica, "conninfo of this region's standby (default: --db)");
  c->add_option("--election", o->election_file,
                "Election definition JSON (default: the 2016 presidential ballot)");
  c->add_option("--keys", o->keys, "Keys directory from `landslide keys init`")->required();
  c->add_option("--threads", o->threads, "HTTP I/O threads")->capture_default_str();
  c->add_option("--writers", o->writers, "Connections committing batches (one shard each)")
      ->capture_default_str();
  c->add_option("--max-batch", o->max_batch, "Most ballots per transaction")->capture_default_str();
  c->add_option("--queue-capacity", o->queue_capacity, "Ballots waiting before 503")
      ->capture_default_str();
  c->add_option("--linger-us", o->linger_us, "How long a batch waits to fill, in microseconds")
      ->capture_default_str();
  c->add_option("--vote-deadline-ms", o->vote_deadline_ms,
                "A ballot not committed by then is answered 503")
      ->capture_default_str();
  c->add_option("--rate-limit", o->rate_limit, "Requests per second per client IP (0: off)")
      ->capture_default_str();
  c->add_option("--rate-burst", o->rate_burst, "Burst allowance per client IP")
      ->capture_default_str();
  c->add_flag("--rate-limit-loopback", o->rate_limit_loopback,
              "Also rate-limit clients on 127.0.0.0/8 and ::1 (exempt by default)");
  c->add_option("--cors-origin", o->cors_origins, "Allowed CORS origin (repeatable; * for any)");
  c->add_option("--peer", o->peers,
                "A region of the election as NAME=http://HOST:PORT (repeatable, this one "
                "included): listed by GET /regions for clients that fail over, and allowed as a "
                "CORS origin");
  c->add_option("--log-level", o->log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  c->callback([&ctx, o] { ctx.exit_code = RunServe(*o); });
}

}  // namespace landslide::cli
