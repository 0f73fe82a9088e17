#include "http/request_parsing.h"

#include <simdjson.h>

#include <array>

#include "common/hex.h"
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

bool IsValidIdempotencyKey(std::string_view key) {
  if (key.size() < 16 || key.size() > 128) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace landslide::http
