// Verifiable ballots built by the load generator, as voters' devices build them: one POST
// /ballots body per vote of a plan, encrypted and proved for the plan's candidate under the
// manifest's election key and signed with the credential derived from the voter's id. Built
// before the timed phase (on every core) so that the server is what a run measures.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sim/vote_plan.h"

namespace landslide::sim {

struct BuiltBodies {
  std::vector<std::string> bodies;  // {"ballot": "<hex>"}, one per vote of the plan, in order
  double seconds = 0;               // wall time of the build
  int threads = 0;
  double micros_per_ballot_per_core() const {
    return bodies.empty() ? 0 : seconds * 1e6 * threads / static_cast<double>(bodies.size());
  }
};

// `manifest` is GET /manifest's body. Fails if it does not parse, or a vote's state or
// candidate is not on the manifest's ballot. `progress(done, total)` is called now and then
// from the calling thread.
Result<BuiltBodies> BuildBallotBodies(
    const VotePlan& plan, std::string_view manifest, int threads,
    const std::function<void(size_t, size_t)>& progress = nullptr);

}  // namespace landslide::sim
