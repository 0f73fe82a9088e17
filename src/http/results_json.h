// Renders tallies as the JSON of GET /votes, GET /votes/{state} and GET /checkpoints.
#pragma once

#include <optional>
#include <string>

#include "crypto/keys.h"
#include "domain/election.h"
#include "voting/tallier.h"

namespace landslide::http {

std::string RenderVotes(const Election& election, const TallySnapshot& snapshot);
// One element of "states", or nullopt if `state` is not a jurisdiction of the election.
std::optional<std::string> RenderStateVotes(const Election& election, const TallySnapshot& snapshot,
                                            const std::string& state);
// The signed checkpoint: {"checkpoint": {...}, "signature": hex, "public_key": hex}, where the
// signature covers the exact bytes of the "checkpoint" member as rendered.
std::string RenderCheckpoint(const Election& election, const TallySnapshot& snapshot,
                             const std::string& region, const ElectionKeys& keys);

}  // namespace landslide::http
