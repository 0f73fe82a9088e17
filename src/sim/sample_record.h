// A complete, valid election record without a cluster (`landslide record sample`): mock voters
// drawn from 2016 turnout, ballots built as a voter's device builds them (some spoiled first),
// two shards of chained batches, a key ceremony, partial decryptions and results. It feeds the
// independent verifier's tests and benchmarks, and checks that the C++ pipeline from ballot to
// published result agrees with itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "common/status.h"
#include "crypto/trustees.h"

namespace landslide::sim {

struct SampleRecordOptions {
  uint64_t voters = 1000;
  uint32_t trustees = 5;
  uint32_t threshold = 3;
  uint64_t seed = 2016;      // voters and choices; ballots use fresh randomness
  double spoil_rate = 0.01;  // voters who check (spoil) a ballot before casting
  double turnout = 0.9;      // registered voters who cast
  std::function<void(uint64_t done, uint64_t total)> progress;  // may be empty
  // A key ceremony held elsewhere (`trustees init`): the record stops at the aggregates and the
  // trustees decrypt with their own share files. Empty: a ceremony is run here and the record
  // is complete.
  std::optional<verifiable::PublicCeremony> ceremony;
};

struct SampleRecordSummary {
  uint64_t cast = 0, spoiled = 0, batches = 0;
};

// Writes the record into `dir` (created; must not hold a record already).
Result<SampleRecordSummary> WriteSampleRecord(const std::filesystem::path& dir,
                                              const SampleRecordOptions& options);

}  // namespace landslide::sim
