// The verifiable scheme's endpoints (docs/API.md): POST /ballots and /ballots/spoiled, the
// manifest, and the bulletin board every region serves from its own standby.
#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "http/api.h"
#include "http/request_parsing.h"
#include "http/responses.h"
#include "http/results_json.h"

namespace landslide::http {

using nlohmann::ordered_json;

void Api::SubmitBallot(const HttpRequest& req, BallotKind kind, Respond respond) {
  if (draining_.load()) {
    return respond(Unavailable("This region is shutting down; retry at another region."));
  }
  std::vector<uint8_t> ballot, opening;
  if (kind == BallotKind::kCast) {
    auto body = ParseCastBody(req.body);
    if (!body.ok()) return respond(ErrorResponse(400, "bad_request", body.status().message()));
    ballot = std::move(body->encoding);
  } else {
    auto body = ParseSpoilBody(req.body);
    if (!body.ok()) return respond(ErrorResponse(400, "bad_request", body.status().message()));
    ballot = std::move(body->encoding);
    opening = EncodeOpening(body->opening);
  }
  deps_.votes->Submit(
      ballot, kind, opening,
      [respond = std::move(respond), region = deps_.region, kind](const CastReply& r) {
        respond(CastResponse(r, region, kind == BallotKind::kSpoiled));
      });
}

HttpResponse Api::Manifest() const {
  if (!deps_.election->verifiable()) {
    return ErrorResponse(404, "not_verifiable",
                         "This election's ballots are sealed by the server; it has no manifest.");
  }
  auto v = deps_.registry->verifiable();
  if (!v) return Unavailable("The manifest is not published yet (the voters are not imported).");
  HttpResponse r;
  r.body = v->manifest_bytes();
  r.headers.emplace_back("ETag", "\"" + ToHex(v->manifest_hash()) + "\"");
  r.headers.emplace_back("Cache-Control", "public, max-age=60");
  return r;
}

HttpResponse Api::Board() const {
  if (!deps_.election->verifiable()) {
    return ErrorResponse(404, "not_verifiable",
                         "This election's ballots are sealed by the server; it has no board.");
  }
  auto v = deps_.registry->verifiable();
  auto snap = deps_.tallier->Snapshot();
  ordered_json j;
  j["election"] = deps_.election->name();
  j["region"] = deps_.region;
  j["manifest_sha256"] = v ? ToHex(v->manifest_hash()) : "";
  j["closed"] = deps_.registry->closed() || !deps_.election->IsOpen(Now());
  j["as_of"] = FormatRfc3339(snap->as_of);
  j["complete"] = snap->ok && snap->lag_batches == 0;
  int64_t cast = 0;
  ordered_json by = ordered_json::object();
  const auto& jurisdictions = deps_.election->jurisdictions();
  for (size_t i = 0; i < jurisdictions.size() && i < snap->cast.size(); ++i) {
    by[jurisdictions[i].code] = snap->cast[i];
    cast += snap->cast[i];
  }
  j["cast"] = cast;
  j["spoiled"] = snap->spoiled;
  j["cast_by_jurisdiction"] = std::move(by);
  ordered_json chains = ordered_json::array();
  for (const auto& h : snap->heads) {
    chains.push_back({{"shard", h.shard}, {"batch", h.seq}, {"head", ToHex(h.head)}});
  }
  j["chains"] = std::move(chains);
  j["checkpoint"] =
      ordered_json::parse(RenderCheckpoint(*deps_.election, *snap, deps_.region, *deps_.keys));
  return Json(200, j.dump());
}

void Api::GetBoardBallot(std::string_view code, Respond respond) {
  TrackingCode tracking{};
  if (code.size() != 64 || !FromHexInto(code, tracking) || ToHex(tracking) != code) {
    return respond(ErrorResponse(400, "bad_request",
                                 "A tracking code is 64 lowercase hexadecimal characters."));
  }
  deps_.reads->FindBoardBallot(tracking, [respond = std::move(respond), shown = std::string(code)](
                                             Result<std::optional<BoardBallotInfo>> info) {
    if (!info.ok()) return respond(Unavailable("The board cannot be read right now."));
    if (!info->has_value()) {
      return respond(ErrorResponse(
          404, "not_on_board",
          "No ballot with this tracking code is on this region's board (yet: a region's "
          "standby may be a moment behind)."));
    }
    const BoardBallotInfo& b = **info;
    ordered_json j;
    j["tracking_code"] = shown;
    j["status"] = b.kind == BallotKind::kSpoiled ? "spoiled" : "cast";
    j["jurisdiction"] = b.jurisdiction;
    j["shard"] = b.shard;
    j["batch"] = b.batch;
    j["chain"] = ToHex(b.chain);
    j["ballot"] = ToHex(b.body);
    if (b.kind == BallotKind::kSpoiled) j["opening"] = ToHex(b.opening);
    respond(Json(200, j.dump()));
  });
}

void Api::ListBoard(const std::string& query, Respond respond) {
  if (!deps_.election->verifiable()) {
    return respond(
        ErrorResponse(404, "not_verifiable",
                      "This election's ballots are sealed by the server; it has no board."));
  }
  auto page = ParseBoardPageQuery(query);
  if (!page.ok()) return respond(ErrorResponse(400, "bad_request", page.status().message()));
  const int limit = page->limit;
  deps_.reads->ListBoard(
      page->kind, page->after, limit,
      [respond = std::move(respond), limit](Result<std::vector<BoardBallotInfo>> rows) {
        if (!rows.ok()) return respond(Unavailable("The board cannot be read right now."));
        ordered_json list = ordered_json::array();
        for (const auto& b : *rows) {
          ordered_json j = {{"tracking_code", ToHex(b.tracking)},
                            {"status", b.kind == BallotKind::kSpoiled ? "spoiled" : "cast"},
                            {"jurisdiction", b.jurisdiction},
                            {"shard", b.shard},
                            {"batch", b.batch},
                            {"position", b.position},
                            {"ballot", ToHex(b.body)}};
          if (b.kind == BallotKind::kSpoiled) j["opening"] = ToHex(b.opening);
          list.push_back(std::move(j));
        }
        ordered_json page_json;
        page_json["ballots"] = std::move(list);
        // A full page may have a successor; a short one is the last (for now: a standby a moment
        // behind, or ballots still coming, can add more after it).
        if (static_cast<int>(rows->size()) == limit) {
          const auto& last = rows->back();
          page_json["next"] = FormatBoardCursor({last.shard, last.batch, last.position});
        } else {
          page_json["next"] = nullptr;
        }
        respond(Json(200, page_json.dump()));
      });
}

}  // namespace landslide::http
