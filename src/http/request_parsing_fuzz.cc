// libFuzzer target for the request parsers (bodies and the board's query string): must never crash,
// leak or accept a body that does not round-trip to valid fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "domain/voter_id.h"
#include "http/request_parsing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto vote = landslide::http::ParseVoteBody(body);
  if (vote.ok() && (!landslide::IsValidVoterId(vote->id) || vote->candidate.empty() ||
                    vote->candidate.size() > 64)) {
    std::abort();
  }
  auto ballot = landslide::http::ParseBallotBody(body);
  if (ballot.ok() && !landslide::IsValidVoterId(ballot->id)) std::abort();
  // A verifiable ballot that parses must re-encode to exactly the bytes it came as.
  auto cast = landslide::http::ParseCastBody(body);
  if (cast.ok() && landslide::EncodeBallot(cast->ballot) != cast->encoding) std::abort();
  auto spoil = landslide::http::ParseSpoilBody(body);
  if (spoil.ok() && (landslide::EncodeBallot(spoil->ballot) != spoil->encoding ||
                     spoil->opening.choices.size() != spoil->ballot.selections.size())) {
    std::abort();
  }
  (void)landslide::http::IsValidIdempotencyKey(body);
  // A board query that parses has a limit in range, and its cursor formats back to the text it
  // was read from.
  auto page = landslide::http::ParseBoardPageQuery(body);
  if (page.ok() && (page->limit < 1 || page->limit > 10000)) std::abort();
  if (page.ok() && page->after &&
      body.find("after=" + landslide::http::FormatBoardCursor(*page->after)) ==
          std::string_view::npos) {
    std::abort();
  }
  return 0;
}
