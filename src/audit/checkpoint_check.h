// Checks a region's signed checkpoint (GET /checkpoints) against an independent recount.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "domain/election.h"
#include "voting/tallier.h"

namespace landslide::audit {

enum class CheckpointVerdict {
  kAgrees,     // same chain heads and the same tallies as the recount
  kBehind,     // a consistent prefix of the recount (the region has not caught up yet)
  kDisagrees,  // a different head or different tallies: something is wrong
};

struct CheckpointResult {
  CheckpointVerdict verdict = CheckpointVerdict::kDisagrees;
  std::string detail;  // why, for a person
  int64_t total = 0;   // the checkpoint's total_count
};

// `body` is the JSON of GET /checkpoints. The signature must verify with `signing_public`.
CheckpointResult CheckCheckpoint(const std::string& body, const Election& election,
                                 const TallySnapshot& recount,
                                 const std::array<uint8_t, 32>& signing_public);

}  // namespace landslide::audit
