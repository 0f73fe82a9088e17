#include "http/request_parsing.h"

#include <simdjson.h>

#include <array>
#include <cstdint>

#include "common/hex.h"
#include "common/strings.h"
#include "domain/voter_id.h"

namespace landslide::http {

namespace {

// Reads a top-level object whose fields are all strings named in `names`, each required once.
template <size_t N>
Status ParseStringObject(std::string_view body, const std::array<std::string_view, N>& names,
                         std::array<std::string, N>* values, size_t max_bytes = kMaxBodyBytes) {
  if (body.size() > max_bytes) return Status::InvalidArgument("the body is too large");
  // The DOM parser validates the whole document (syntax, UTF-8, nothing after the value)
  // before we look at it; bodies are small (at most kMaxVerifiableBodyBytes), so the tape
  // costs nothing.
  // One parser per thread: a parser allocates its buffers on first use and reuses them.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the body is not valid JSON");
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the body must be a JSON object");
  }
  std::array<bool, N> seen{};
  for (auto [key, value] : obj) {
    size_t i = 0;
    while (i < N && names[i] != key) ++i;
    if (i == N) {
      std::string shown(key.substr(0, 40));
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') c = '?';
      }
      return Status::InvalidArgument("unknown field \"" + shown + "\"");
    }
    if (seen[i]) return Status::InvalidArgument("field \"" + std::string(key) + "\" appears twice");
    seen[i] = true;
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return Status::InvalidArgument("field \"" + std::string(key) + "\" must be a string");
    }
    (*values)[i] = std::string(text);
  }
  for (size_t i = 0; i < N; ++i) {
    if (!seen[i])
      return Status::InvalidArgument("field \"" + std::string(names[i]) + "\" is missing");
  }
  return Status::Ok();
}

}  // namespace

Result<VoteBody> ParseVoteBody(std::string_view body) {
  static constexpr std::array<std::string_view, 2> kNames = {"id", "candidate"};
  std::array<std::string, 2> v;
  Status s = ParseStringObject(body, kNames, &v);
  if (!s.ok()) return s;
  if (!IsValidVoterId(v[0])) {
    return Status::InvalidArgument(
        "the \"id\" must be three groups of five base58 characters joined by '-'");
  }
  if (v[1].empty() || v[1].size() > 64) {
    return Status::InvalidArgument("the \"candidate\" must be a name of 1 to 64 bytes");
  }
  return VoteBody{std::move(v[0]), std::move(v[1])};
}

Result<BallotBody> ParseBallotBody(std::string_view body) {
  static constexpr std::array<std::string_view, 1> kNames = {"id"};
  std::array<std::string, 1> v;
  Status s = ParseStringObject(body, kNames, &v);
  if (!s.ok()) return s;
  if (!IsValidVoterId(v[0])) {
    return Status::InvalidArgument(
        "the \"id\" must be three groups of five base58 characters joined by '-'");
  }
  return BallotBody{std::move(v[0])};
}

namespace {

// Lowercase hex only, so that one ballot has one spelling.
Result<std::vector<uint8_t>> LowerHex(const std::string& text, const char* field) {
  auto bytes = FromHex(text);
  if (!bytes || ToHex(*bytes) != text) {
    return Status::InvalidArgument(std::string("the \"") + field +
                                   "\" must be lowercase hexadecimal");
  }
  return std::move(*bytes);
}

}  // namespace

Result<CastBody> ParseCastBody(std::string_view body) {
  static constexpr std::array<std::string_view, 1> kNames = {"ballot"};
  std::array<std::string, 1> v;
  LANDSLIDE_RETURN_IF_ERROR(ParseStringObject(body, kNames, &v, kMaxVerifiableBodyBytes));
  auto bytes = LowerHex(v[0], "ballot");
  if (!bytes.ok()) return bytes.status();
  auto ballot = DecodeBallot(*bytes);
  if (!ballot.ok()) return ballot.status();
  return CastBody{std::move(*ballot), std::move(*bytes)};
}

Result<SpoilBody> ParseSpoilBody(std::string_view body) {
  static constexpr std::array<std::string_view, 2> kNames = {"ballot", "opening"};
  std::array<std::string, 2> v;
  LANDSLIDE_RETURN_IF_ERROR(ParseStringObject(body, kNames, &v, kMaxVerifiableBodyBytes));
  auto bytes = LowerHex(v[0], "ballot");
  if (!bytes.ok()) return bytes.status();
  auto ballot = DecodeBallot(*bytes);
  if (!ballot.ok()) return ballot.status();
  auto opening_bytes = LowerHex(v[1], "opening");
  if (!opening_bytes.ok()) return opening_bytes.status();
  auto opening = DecodeOpening(*opening_bytes);
  if (!opening.ok()) return opening.status();
  if (opening->choices.size() != ballot->selections.size()) {
    return Status::InvalidArgument("the opening does not match the ballot's selections");
  }
  return SpoilBody{std::move(*ballot), std::move(*bytes), std::move(*opening)};
}

namespace {

// A whole decimal number in [min, max], digits only, no leading zero (one spelling per
// number, so a cursor reads back as the text it was written as).
std::optional<int64_t> Number(std::string_view text, int64_t min, int64_t max) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<BoardCursor> ParseCursor(std::string_view text) {
  const size_t a = text.find(':');
  const size_t b = a == text.npos ? text.npos : text.find(':', a + 1);
  if (b == text.npos || a == 0 || a > 64) return std::nullopt;
  const std::string_view shard = text.substr(0, a);
  for (char c : shard) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
  }
  auto batch = Number(text.substr(a + 1, b - a - 1), 1, INT64_MAX / 10);
  auto position = Number(text.substr(b + 1), 0, INT32_MAX);
  if (!batch || !position) return std::nullopt;
  return BoardCursor{std::string(shard), *batch, static_cast<int32_t>(*position)};
}

}  // namespace

Result<BoardPageQuery> ParseBoardPageQuery(std::string_view query) {
  BoardPageQuery out;
  bool seen_status = false, seen_after = false, seen_limit = false;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == query.npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == pair.npos ? std::string_view() : pair.substr(eq + 1);
    auto once = [&](bool& seen) -> Status {
      if (seen) return Status::InvalidArgument(std::string(key) + " is given twice");
      seen = true;
      return Status::Ok();
    };
    if (key == "status") {
      LANDSLIDE_RETURN_IF_ERROR(once(seen_status));
      if (value == "cast") {
        out.kind = BallotKind::kCast;
      } else if (value == "spoiled") {
        out.kind = BallotKind::kSpoiled;
      } else {
        return Status::InvalidArgument("status is cast or spoiled");
      }
    } else if (key == "after") {
      LANDSLIDE_RETURN_IF_ERROR(once(seen_after));
      out.after = ParseCursor(value);
      if (!out.after) {
        return Status::InvalidArgument("after is the next cursor of a page, SHARD:BATCH:POSITION");
      }
    } else if (key == "limit") {
      LANDSLIDE_RETURN_IF_ERROR(once(seen_limit));
      auto limit = Number(value, 1, 10000);
      if (!limit) return Status::InvalidArgument("limit is a whole number from 1 to 10000");
      out.limit = static_cast<int>(*limit);
    } else {
      // Echoed into a JSON error body: a byte of 0x80 or more would not be UTF-8.
      return Status::InvalidArgument("unknown parameter \"" + PrintableAscii(key, 32) +
                                     "\" (status, after and limit are known)");
    }
  }
  return out;
}

std::string FormatBoardCursor(const BoardCursor& c) {
  return c.shard + ":" + std::to_string(c.batch) + ":" + std::to_string(c.position);
}

bool IsValidIdempotencyKey(std::string_view key) {
  if (key.size() < 16 || key.size() > 128) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace landslide::http
