// Strict parsing of request bodies: a JSON object with exactly the expected string fields, no
// unknown or duplicate keys, valid UTF-8, nothing after the object. Anything else is a clear
// InvalidArgument naming what is wrong.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

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

// Idempotency-Key header: 16 to 128 visible ASCII characters (short keys could be guessed).
bool IsValidIdempotencyKey(std::string_view key);

}  // namespace landslide::http
