// The mock voter registry: CSV rows `id,first_name,last_name,address,state`, states drawn in
// proportion to 2016 turnout. The same seed gives the same bytes on every platform, because
// every draw is made here from raw std::mt19937_64 output (the standard distributions'
// algorithms are implementation-defined).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "common/status.h"

namespace landslide::sim {

inline constexpr const char* kRegistryCsvHeader = "id,first_name,last_name,address,state";
inline constexpr int64_t kDefaultVoterCount = 1366692;  // 1% of 2016 turnout
inline constexpr uint64_t kDefaultVoterSeed = 2016;

struct VoterGeneratorOptions {
  int64_t count = kDefaultVoterCount;
  uint64_t seed = kDefaultVoterSeed;
};

// Called now and then with the number of rows written so far (and once at the end).
using ProgressFn = std::function<void(int64_t rows_done)>;

// Appends the whole registry (header first) to `out`, flushing in large chunks.
Status GenerateVoters(const VoterGeneratorOptions& options, std::FILE* out,
                      const ProgressFn& progress = nullptr);

// The same rows into a string; convenient for tests and small registries.
Result<std::string> GenerateVotersToString(const VoterGeneratorOptions& options);

}  // namespace landslide::sim
