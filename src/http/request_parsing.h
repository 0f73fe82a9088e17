// Strict parsing of request bodies: a JSON object with exactly the expected string fields, no
// unknown or duplicate keys, valid UTF-8, nothing after the object. Anything else is a clear
// InvalidArgument naming what is wrong.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/verifiable_ballot.h"

namespace landslide::http {

inline constexpr size_t kMaxBodyBytes = 1024;

struct VoteBody {
  std::string id;
  std::string candidate;
};
Result<VoteBody> ParseVoteBody(std::string_view body);

struct BallotBody {
  std::string id;
};
Result<BallotBody> ParseBallotBody(std::string_view body);

// POST /ballots and POST /ballots/spoiled (verifiable elections): {"ballot": "<hex>"} and
// {"ballot": "<hex>", "opening": "<hex>"}, the hex of the encodings docs/RECORD.md specifies.
// The largest ballot the encoding allows (64 candidates, 0 to 64 choices: 65 sum-proof branches)
// is about 29 KiB, 58 KiB as hex; its opening adds about 4 KiB of hex.
inline constexpr size_t kMaxVerifiableBodyBytes = 72 * 1024;

struct CastBody {
  VerifiableBallot ballot;
  std::vector<uint8_t> encoding;  // exactly the bytes the tracking code hashes
};
Result<CastBody> ParseCastBody(std::string_view body);

struct SpoilBody {
  VerifiableBallot ballot;
  std::vector<uint8_t> encoding;
  BallotOpening opening;
};
Result<SpoilBody> ParseSpoilBody(std::string_view body);

// GET /board/ballots?status=cast|spoiled&after=CURSOR&limit=N: one page of the bulletin board
// in stored order. CURSOR is the `next` of the previous page ("SHARD:BATCH:POSITION"); limit
// 1 to 10000 (default 1000). Unknown or repeated parameters are errors.
struct BoardPageQuery {
  BallotKind kind = BallotKind::kCast;
  std::optional<BoardCursor> after;
  int limit = 1000;
};
Result<BoardPageQuery> ParseBoardPageQuery(std::string_view query);
std::string FormatBoardCursor(const BoardCursor& cursor);

// Idempotency-Key header: 16 to 128 visible ASCII characters (short keys could be guessed).
bool IsValidIdempotencyKey(std::string_view key);

}  // namespace landslide::http
