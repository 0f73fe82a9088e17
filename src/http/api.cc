#include "http/api.h"

#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "common/strings.h"
#include "http/request_parsing.h"
#include "http/responses.h"
#include "http/results_json.h"

namespace landslide::http {

using nlohmann::ordered_json;

std::string Sentence(std::string_view text) {
  std::string s(text);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s.push_back('.');
  return s;
}

namespace {

ordered_json ErrorJson(std::string_view code, std::string_view message) {
  return ordered_json{{"success", false}, {"error", code}, {"message", Sentence(message)}};
}

}  // namespace

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = ErrorJson(code, message).dump();
  return r;
}

Api::Api(ApiDeps deps)
    : deps_(std::move(deps)),
      rate_limited_(
          deps_.metrics->AddCounter("landslide_rate_limited_total", "Requests refused with 429")),
      latency_(deps_.metrics->AddHistogram(
          "landslide_request_seconds", "Time from request to response",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})) {
  for (int code : {200, 201, 204, 400, 403, 404, 405, 409, 413, 415, 422, 429, 500, 501, 503}) {
    by_status_[code] = &deps_.metrics->AddCounter("landslide_http_responses_total",
                                                  "HTTP responses by status code",
                                                  "code=\"" + std::to_string(code) + "\"");
  }
}

void Api::CountOutcome(int status) {
  if (status >= 0 && status < 600 && by_status_[status]) by_status_[status]->Add();
}

void Api::AddCors(const std::optional<std::string>& origin, HttpResponse& resp) const {
  if (!origin) return;
  for (const auto& o : deps_.cors_origins) {
    if (o == "*" || o == *origin) {
      resp.headers.emplace_back("Access-Control-Allow-Origin", o == "*" ? "*" : *origin);
      resp.headers.emplace_back("Vary", "Origin");
      return;
    }
  }
}

void Api::Handle(HttpRequest req, Respond respond) {
  auto start = std::chrono::steady_clock::now();
  // Wrap the responder: CORS, metrics and latency for every answer, on whatever thread.
  Respond done = [this, origin = req.origin, start, respond = std::move(respond)](HttpResponse r) {
    AddCors(origin, r);
    CountOutcome(r.status);
    latency_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    respond(std::move(r));
  };

  const std::string& p = req.path;
  const bool ballot_post = p == "/ballots" || p == "/ballots/spoiled";
  const bool api_path = p == "/votes" || p == "/ballot" || p.rfind("/votes/", 0) == 0 ||
                        p.rfind("/receipts/", 0) == 0 || p == "/checkpoints" || p == "/health" ||
                        p == "/metrics" || p == "/regions" || ballot_post || p == "/manifest" ||
                        p == "/board" || p.rfind("/board/ballots", 0) == 0;
  if (req.method == "OPTIONS" && api_path) {
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    bool allowed = false;
    for (const auto& o : deps_.cors_origins)
      allowed |= req.origin && (o == "*" || o == *req.origin);
    if (allowed) {
      r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      r.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return done(std::move(r));
  }
  if (req.method == "POST" && (p == "/votes" || p == "/ballot" || ballot_post)) {
    int retry = 1;
    if (deps_.limiter && !deps_.limiter->Allow(req.client, &retry)) {
      rate_limited_.Add();
      HttpResponse r = ErrorResponse(429, "rate_limited",
                                     "Too many requests from this client; slow down and retry.");
      r.headers.emplace_back("Retry-After", std::to_string(retry));
      return done(std::move(r));
    }
    if (req.body_too_large) {
      return done(ErrorResponse(
          413, "too_large",
          ballot_post ? "The request body is over 72 KiB." : "The request body is over 1 KiB."));
    }
    if (!IsJsonContentType(req.content_type)) {
      return done(ErrorResponse(415, "unsupported_media_type",
                                "Send the body as JSON with Content-Type: application/json."));
    }
    if (p == "/votes") return CastVote(req, std::move(done));
    if (p == "/ballots") return SubmitBallot(req, BallotKind::kCast, std::move(done));
    if (p == "/ballots/spoiled") return SubmitBallot(req, BallotKind::kSpoiled, std::move(done));
    return GetBallot(req, std::move(done));
  }
  if (req.method == "GET" || req.method == "HEAD") {
    if (p == "/votes") return done(Votes(std::nullopt));
    if (p.rfind("/votes/", 0) == 0) return done(Votes(p.substr(7)));
    if (p.rfind("/receipts/", 0) == 0)
      return GetReceipt(std::string_view(p).substr(10), std::move(done));
    if (p == "/health") return done(Health());
    if (p == "/manifest") return done(Manifest());
    if (p == "/board") return done(Board());
    if (p == "/board/ballots") return ListBoard(req.query, std::move(done));
    if (p.rfind("/board/ballots/", 0) == 0) {
      return GetBoardBallot(std::string_view(p).substr(15), std::move(done));
    }
    if (p == "/regions") return done(Regions());
    if (p == "/metrics") {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = deps_.metrics->RenderPrometheus();
      return done(std::move(r));
    }
    if (p == "/checkpoints") {
      auto snap = deps_.tallier->Snapshot();
      return done(Json(200, RenderCheckpoint(*deps_.election, *snap, deps_.region, *deps_.keys)));
    }
    auto asset = deps_.assets.find(p);
    if (asset != deps_.assets.end()) {
      HttpResponse r;
      r.content_type = asset->second.content_type;
      r.body = std::string(asset->second.body);
      r.headers.emplace_back("Cache-Control", "no-cache");
      return done(std::move(r));
    }
  }
  if (api_path || deps_.assets.count(p)) {
    return done(
        ErrorResponse(405, "method_not_allowed", "This path does not take " + req.method + "."));
  }
  // The path is echoed in plain characters only: a byte of 0x80 or more is not UTF-8, and the
  // JSON body could not be written (the request would go unanswered).
  return done(
      ErrorResponse(404, "not_found", "There is nothing at " + PrintableAscii(p, 100) + "."));
}

void Api::CastVote(const HttpRequest& req, Respond respond) {
  if (draining_.load()) {
    return respond(Unavailable("This region is shutting down; retry at another region."));
  }
  auto body = ParseVoteBody(req.body);
  if (!body.ok()) return respond(ErrorResponse(400, "bad_request", body.status().message()));
  if (req.idempotency_key && !IsValidIdempotencyKey(*req.idempotency_key)) {
    return respond(ErrorResponse(400, "bad_request",
                                 "Idempotency-Key must be 16 to 128 visible ASCII characters."));
  }
  std::string region = deps_.region;
  deps_.votes->Cast(body->id, body->candidate, req.idempotency_key,
                    [respond = std::move(respond), region](const CastReply& r) {
                      respond(CastResponse(r, region));
                    });
}

void Api::GetBallot(const HttpRequest& req, Respond respond) {
  auto body = ParseBallotBody(req.body);
  if (!body.ok()) return respond(ErrorResponse(400, "bad_request", body.status().message()));
  VoterHash voter;
  auto ballot = deps_.votes->Ballot(body->id, &voter);
  if (!ballot.ok()) {
    if (ballot.status().code() == Code::kNotFound) {
      return respond(ErrorResponse(404, "unknown_voter", "This voter id is not in the registry."));
    }
    return respond(Unavailable(ballot.status().message()));
  }
  auto view = std::make_shared<BallotView>(std::move(*ballot));
  deps_.reads->FindVote(
      voter, [respond = std::move(respond), view](Result<std::optional<TimePoint>> voted) {
        if (!voted.ok()) return respond(Unavailable("The pollbook cannot be read right now."));
        if (voted->has_value()) return respond(AlreadyVoted(**voted));
        ordered_json j = {{"state", view->jurisdiction}, {"candidates", view->candidates}};
        respond(Json(200, j.dump()));
      });
}

void Api::GetReceipt(std::string_view text, Respond respond) {
  auto bytes = FromHex(text);
  Receipt receipt;
  if (!bytes || bytes->size() != receipt.size()) {
    return respond(ErrorResponse(400, "bad_request", "A receipt is 32 hexadecimal characters."));
  }
  std::copy(bytes->begin(), bytes->end(), receipt.begin());
  std::string shown = ToHex(receipt);
  deps_.reads->FindReceipt(
      receipt, [respond = std::move(respond), shown](Result<std::optional<ReceiptInfo>> info) {
        if (!info.ok()) return respond(Unavailable("Receipts cannot be read right now."));
        ordered_json j = {{"receipt", shown}};
        if (info->has_value()) {
          j["status"] = "counted";
          j["shard"] = (*info)->shard;
          j["batch"] = (*info)->batch;
          j["chain"] = ToHex((*info)->chain);
        } else {
          j["status"] = "unknown";
          j["shard"] = nullptr;
          j["batch"] = nullptr;
          j["chain"] = nullptr;
        }
        respond(Json(200, j.dump()));
      });
}

HttpResponse Api::Votes(std::optional<std::string> state) {
  if (deps_.election->verifiable()) {
    // No region can count what it cannot decrypt: the trustees publish the counts after close.
    return ErrorResponse(404, "not_published",
                         "A verifiable election's counts are published after close, from the "
                         "trustees' decryption; GET /board has the turnout per jurisdiction.");
  }
  auto snap = deps_.tallier->Snapshot();
  if (state) {
    auto body = RenderStateVotes(*deps_.election, *snap, *state);
    if (!body) {
      return ErrorResponse(404, "unknown_state",
                           "No jurisdiction is called " + PrintableAscii(*state, 20) + ".");
    }
    return Json(200, std::move(*body));
  }
  std::lock_guard lock(render_mu_);
  if (rendered_for_ != snap) {
    rendered_ = RenderVotes(*deps_.election, *snap);
    rendered_for_ = snap;
  }
  return Json(200, rendered_);
}

HttpResponse Api::Regions() const {
  ordered_json list = ordered_json::array();
  for (const auto& [name, url] : deps_.regions) list.push_back({{"name", name}, {"url", url}});
  return Json(200, ordered_json{{"region", deps_.region}, {"regions", std::move(list)}}.dump());
}

HttpResponse Api::Health() const {
  ordered_json checks = ordered_json::object();
  bool ok = true;
  auto check = [&](const char* name, bool pass, const std::string& why) {
    checks[name] = pass ? ordered_json{{"ok", true}} : ordered_json{{"ok", false}, {"error", why}};
    ok = ok && pass;
  };
  ProbeStatus primary = deps_.monitor->Primary();
  std::string writer_error;
  bool writer_ok = deps_.intake->PrimaryOk(&writer_error);
  check("primary", primary.ok && writer_ok, primary.ok ? writer_error : primary.error);
  ProbeStatus replica = deps_.monitor->Replica();
  check("replica", replica.ok, replica.error);
  auto snap = deps_.tallier->Snapshot();
  bool lag_ok = snap->ok && snap->lag_batches <= deps_.max_tallier_lag_batches;
  check("tallier", lag_ok,
        !snap->ok ? snap->error
                  : "the tallier is " + std::to_string(snap->lag_batches) + " batches behind");
  auto registry = deps_.registry ? deps_.registry->Get() : nullptr;
  check("registry", registry != nullptr, "the voter registry is not loaded yet");
  if (registry) {
    checks["registry"]["voters"] = registry->size();
    checks["registry"]["generation"] = deps_.registry->generation();
  }
  size_t depth = deps_.intake->depth();
  check("intake", !draining_.load(), draining_.load() ? "draining" : "");
  ordered_json body = {{"status", ok ? "ok" : "unavailable"},
                       {"region", deps_.region},
                       {"checks", std::move(checks)},
                       {"queue_depth", depth},
                       {"tallier_lag_batches", snap->lag_batches}};
  ordered_json heads = ordered_json::array();
  for (const auto& h : snap->heads) {
    heads.push_back({{"shard", h.shard}, {"seq", h.seq}, {"head", ToHex(h.head)}});
  }
  body["chain_heads"] = std::move(heads);
  HttpResponse r = Json(ok ? 200 : 503, body.dump());
  if (!ok) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace landslide::http
