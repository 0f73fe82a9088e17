#include "sim/ballot_builder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "common/hex.h"
#include "crypto/verifiable_ballot.h"
#include "domain/results_2016.h"
#include "record/manifest.h"

namespace landslide::sim {

Result<BuiltBodies> BuildBallotBodies(const VotePlan& plan, std::string_view manifest_bytes,
                                      int threads,
                                      const std::function<void(size_t, size_t)>& progress) {
  auto manifest = record::ParseManifest(manifest_bytes);
  if (!manifest.ok()) return manifest.status().Context("the manifest");
  auto context = verifiable::ElectionContext::Create(record::ManifestHash(manifest_bytes),
                                                     manifest->trustees.joint_key);
  if (!context.ok()) return context.status();
  // Per 2016 state (index into Results2016()): its contest, and where each of the five
  // candidates stands on its ballot.
  const auto& states = Results2016();
  std::vector<verifiable::ContestRule> rules(states.size());
  std::vector<std::array<size_t, kCandidateCount>> positions(states.size());
  std::vector<bool> known(states.size(), false);
  for (size_t s = 0; s < states.size(); ++s) {
    const record::Contest* contest = manifest->FindContest(states[s].code);
    if (!contest) continue;
    rules[s] = manifest->Rule(*contest);
    known[s] = true;
    for (size_t c = 0; c < kCandidateCount; ++c) {
      const auto& names = contest->candidates;
      const auto at = std::find(names.begin(), names.end(), kCandidates2016[c]);
      positions[s][c] = at == names.end() ? names.size() : static_cast<size_t>(at - names.begin());
    }
  }
  for (size_t i = 0; i < plan.size(); ++i) {
    const size_t s = plan.state(i);
    if (!known[s] || positions[s][plan.candidate(i)] >= rules[s].candidates) {
      return Status::InvalidArgument("vote " + std::to_string(i + 1) + " (" + states[s].code +
                                     ", " + std::string(kCandidates2016[plan.candidate(i)]) +
                                     ") is not on the manifest's ballot");
    }
  }

  BuiltBodies out;
  out.threads = std::max(1, threads);
  out.bodies.resize(plan.size());
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  auto work = [&] {
    std::vector<uint8_t> choices;
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t i = next.fetch_add(1);
      if (i >= plan.size()) return;
      const size_t s = plan.state(i);
      choices.assign(rules[s].candidates, 0);
      choices[positions[s][plan.candidate(i)]] = 1;
      auto built = verifiable::BuildBallot(
          **context, verifiable::CredentialSecret(manifest->election, plan.id(i)), rules[s],
          choices);
      if (!built.ok()) {
        failed = true;
        return;
      }
      std::string& body = out.bodies[i];
      body = "{\"ballot\":\"";
      AppendHex(EncodeBallot(built->ballot), body);
      body += "\"}";
      done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(out.threads));
  for (int t = 0; t < out.threads; ++t) pool.emplace_back(work);
  while (progress && done.load() < plan.size() && !failed.load()) {
    progress(done.load(), plan.size());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (auto& t : pool) t.join();
  if (failed) return Status::Internal("a ballot could not be built");
  if (progress) progress(plan.size(), plan.size());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace landslide::sim
