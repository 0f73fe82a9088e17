// The exported election record as files (docs/RECORD.md, "The exported record"): what
// `record export` and `record sample` write, what `trustee decrypt` and `results publish` read
// and add to, and what the independent verifier checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/trustees.h"
#include "domain/verifiable_ballot.h"
#include "record/manifest.h"

namespace landslide::record {

// A ballot as the board holds it.
struct BoardBallot {
  BallotKind kind = BallotKind::kCast;
  TrackingCode tracking{};
  std::vector<uint8_t> encoding;  // EncodeBallot
  std::vector<uint8_t> opening;   // EncodeOpening, spoiled ballots only
  std::string shard;
  uint64_t seq = 0;
};

struct Batch {
  std::string shard;
  uint64_t seq = 0;
  Bytes32 head{};
  std::vector<ChainItem> items;
};

using Aggregates = std::map<std::string, std::vector<Ciphertext>>;
using Credentials = std::map<std::string, std::vector<Bytes32>>;

// Writes a record directory from scratch; ballots are streamed, one line each.
class RecordWriter {
 public:
  // Creates `dir` (which must not hold a record already) and writes the manifest's bytes.
  static Result<std::unique_ptr<RecordWriter>> Create(const std::filesystem::path& dir,
                                                      std::string_view manifest_bytes);
  Status WriteCredentials(const Credentials& credentials);
  Status AddBallot(const BoardBallot& ballot);
  Status WriteChains(const std::vector<Batch>& batches);
  Status WriteAggregates(const Aggregates& aggregates);
  // Flushes and closes the ballot files.
  Status Finish();

  explicit RecordWriter(std::filesystem::path dir);

 private:
  std::filesystem::path dir_;
  std::ofstream cast_, spoiled_;
};

// What a trustee and the results publisher read back.
Result<std::string> ReadManifestBytes(const std::filesystem::path& dir);
Result<Aggregates> ReadAggregates(const std::filesystem::path& dir);

using Partials = std::map<std::string, std::vector<verifiable::PartialDecryption>>;
// partials/trustee-<j>.json
Status WritePartials(const std::filesystem::path& dir, uint32_t trustee, const Partials& partials);
// Every partials/trustee-*.json, by trustee.
Result<std::map<uint32_t, Partials>> ReadAllPartials(const std::filesystem::path& dir);

struct Results {
  std::vector<uint32_t> trustees;                        // whose partials were combined
  std::vector<uint32_t> refused;                         // whose partials failed their proofs
  std::map<std::string, std::vector<uint64_t>> counts;   // per jurisdiction, ballot order
  std::vector<std::pair<std::string, uint64_t>> totals;  // per candidate, first-seen order
};
Status WriteResults(const std::filesystem::path& dir, const Results& results);

}  // namespace landslide::record
