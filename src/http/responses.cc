#include "http/responses.h"

#include <nlohmann/json.hpp>

#include "common/hex.h"

namespace landslide::http {

using nlohmann::ordered_json;

HttpResponse Unavailable(std::string_view message, int retry_after_s) {
  HttpResponse r = ErrorResponse(503, "unavailable", message);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse AlreadyVoted(TimePoint voted_at) {
  HttpResponse r = ErrorResponse(409, "already_voted", "This voter already has a counted ballot.");
  auto j = ordered_json::parse(r.body);
  j["voted_at"] = FormatRfc3339(voted_at);
  r.body = j.dump();
  return r;
}

bool IsJsonContentType(std::string_view ct) {
  std::string lower;
  for (char c : ct.substr(0, ct.find(';'))) lower.push_back(static_cast<char>(std::tolower(c)));
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

HttpResponse CastResponse(const CastReply& r, std::string_view region, bool spoiled) {
  switch (r.result) {
    case CastResult::kCounted: {
      // The hot path: every field is a token with no character JSON must escape (hex, a region
      // name of [a-z0-9-], an RFC 3339 time), so the body is assembled directly.
      const bool verifiable = r.outcome.tracking != TrackingCode{};
      std::string body;
      body.reserve(200);
      if (spoiled) {
        body += R"({"success":true,"message":"The ballot was spoiled: it is published with its )"
                R"(choices and will never be counted. Check it, then cast a new one.","status":)"
                R"("spoiled","tracking_code":")";
        AppendHex(r.outcome.tracking, body);
      } else if (verifiable) {
        body += R"({"success":true,"message":"Your ballot was counted.","status":"cast",)"
                R"("tracking_code":")";
        AppendHex(r.outcome.tracking, body);
      } else {
        body += R"({"success":true,"message":"Your ballot was counted.","receipt":")";
        AppendHex(r.outcome.receipt, body);
      }
      body += R"(","region":")";
      body += r.outcome.region.empty() ? region : r.outcome.region;
      body += R"(","voted_at":")";
      body += FormatRfc3339(r.outcome.voted_at);
      body += R"("})";
      return Json(201, std::move(body));
    }
    case CastResult::kAlreadyVoted:
      return AlreadyVoted(r.outcome.voted_at);
    case CastResult::kClosed:
      return ErrorResponse(403, "election_closed", "Voting is not open now.");
    case CastResult::kUnknownVoter:
      return ErrorResponse(404, "unknown_voter", "This voter id is not in the registry.");
    case CastResult::kNotOnBallot:
      return ErrorResponse(422, "not_on_ballot", "That candidate is not on this voter's ballot.");
    case CastResult::kQueueFull:
      return Unavailable("Too many ballots are waiting; nothing was recorded. Retry.");
    case CastResult::kRegistryNotLoaded:
      return Unavailable("The voter registry is still loading; nothing was recorded.");
    case CastResult::kOutcomeUnknown:
      return Unavailable(r.outcome.message);
    case CastResult::kUnavailable:
      return Unavailable((r.outcome.message.empty()
                              ? std::string("The ballot could not be made durable")
                              : Sentence(r.outcome.message)) +
                         " Nothing was recorded; it is safe to retry.");
    case CastResult::kMalformedBallot:
      return ErrorResponse(422, "malformed_ballot", r.outcome.message);
    case CastResult::kRejected:
      return ErrorResponse(422, "invalid_ballot", r.outcome.message);
    case CastResult::kAlreadyOnBoard: {
      HttpResponse resp = ErrorResponse(
          409, "already_on_board",
          "This very ballot is already on the board; it can be neither cast nor spoiled again. "
          "Build a new ballot to vote.");
      auto j = ordered_json::parse(resp.body);
      j["tracking_code"] = ToHex(r.outcome.tracking);
      resp.body = j.dump();
      return resp;
    }
    case CastResult::kNotVerifiable:
      return ErrorResponse(404, "not_verifiable",
                           "This election's ballots are sealed by the server: POST /votes.");
  }
  return Unavailable("Unknown outcome; nothing is known to be recorded.");
}

}  // namespace landslide::http
