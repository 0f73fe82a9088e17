// The HTTP API of docs/API.md as thin handlers over the voting use cases. This is the only
// place where outcomes and Status codes become HTTP status codes and error bodies.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "crypto/keys.h"
#include "http/rate_limiter.h"
#include "voting/intake_queue.h"
#include "voting/read_model.h"
#include "voting/tallier.h"
#include "voting/vote_service.h"

namespace landslide::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string query;   // after '?', as sent (only GET /board/ballots reads one)
  std::string content_type;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> origin;
  std::string body;
  std::string client;  // remote IP address
  bool body_too_large = false;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called exactly once per request, from any thread.
using Respond = std::function<void(HttpResponse)>;

struct StaticAsset {
  std::string content_type;
  std::string_view body;
};

struct ApiDeps {
  std::string region;
  const Election* election = nullptr;
  VoteService* votes = nullptr;
  IntakeQueue* intake = nullptr;
  Tallier* tallier = nullptr;
  ReadModel* reads = nullptr;
  RegionMonitor* monitor = nullptr;
  const RegistryHolder* registry = nullptr;
  const ElectionKeys* keys = nullptr;
  RateLimiter* limiter = nullptr;
  MetricsRegistry* metrics = nullptr;
  std::vector<std::string> cors_origins;  // "*" allows any
  // Every region of the election (name, base URL), this one included, as GET /regions lists
  // them for clients that fail over between regions (the voter site does).
  std::vector<std::pair<std::string, std::string>> regions;
  std::map<std::string, StaticAsset> assets;  // path -> file ("/" and "/results" included)
  int64_t max_tallier_lag_batches = 1000;
};

class Api {
 public:
  explicit Api(ApiDeps deps);
  void Handle(HttpRequest request, Respond respond);
  // From now on every vote is answered 503 (the process is draining).
  void StartDraining() { draining_.store(true); }

 private:
  void CastVote(const HttpRequest& req, Respond respond);
  void GetBallot(const HttpRequest& req, Respond respond);
  void GetReceipt(std::string_view receipt, Respond respond);
  // Verifiable elections (ballots_api.cc).
  void SubmitBallot(const HttpRequest& req, BallotKind kind, Respond respond);
  void GetBoardBallot(std::string_view tracking_code, Respond respond);
  void ListBoard(const std::string& query, Respond respond);
  HttpResponse Manifest() const;
  HttpResponse Board() const;
  HttpResponse Health() const;
  HttpResponse Regions() const;
  HttpResponse Votes(std::optional<std::string> state);
  void AddCors(const std::optional<std::string>& origin, HttpResponse& resp) const;
  void CountOutcome(int status);

  ApiDeps deps_;
  std::atomic<bool> draining_{false};
  Counter* by_status_[600] = {};
  Counter& rate_limited_;
  Histogram& latency_;

  // GET /votes renders once per tallier snapshot.
  std::mutex render_mu_;
  std::shared_ptr<const TallySnapshot> rendered_for_;  // guarded by render_mu_
  std::string rendered_;                               // guarded by render_mu_
};

// "the body is not valid JSON" -> "The body is not valid JSON.": messages are for people.
std::string Sentence(std::string_view text);

// {"success": false, "error": code, "message": Sentence(message)}
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

}  // namespace landslide::http
