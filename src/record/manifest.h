// The verifiable election's manifest (docs/RECORD.md, "Manifest"): what every ballot's proofs
// are bound to, published before voting opens. Its hash is SHA-256 of its exact bytes, so the
// bytes are produced once (ManifestToJson) and then stored, served and exported unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/trustees.h"
#include "crypto/verifiable_ballot.h"
#include "domain/election.h"

namespace landslide::record {

using ResultsMode = landslide::ResultsMode;

struct Contest {
  std::string jurisdiction;
  std::vector<std::string> candidates;
  uint32_t min_selections = 1;
  uint32_t max_selections = 1;
  uint64_t credentials = 0;      // how many voters may cast a ballot here
  Bytes32 credentials_sha256{};  // CredentialsHash of their public credentials
};

struct Manifest {
  std::string election;
  std::string opens_at, closes_at;  // RFC 3339
  ResultsMode results = ResultsMode::kAfterClose;
  uint32_t live_min_ballots = 100;
  std::vector<Contest> contests;
  verifiable::PublicCeremony trustees;

  const Contest* FindContest(std::string_view jurisdiction) const;
  verifiable::ContestRule Rule(const Contest& contest) const;
};

// The published bytes (stable key order, one value per line indented by one space, a trailing
// newline).
std::string ManifestToJson(const Manifest& manifest);
// Strict: unknown or duplicate keys, wrong types, non-canonical hex and a trustee section that
// does not verify are errors.
Result<Manifest> ParseManifest(std::string_view bytes);
// SHA-256 of the manifest's bytes: what every proof is bound to.
Bytes32 ManifestHash(std::string_view bytes);

// SHA-256 of the credentials sorted in ascending byte order and concatenated (sorts `sorted`).
Bytes32 CredentialsHash(std::vector<Bytes32>& credentials);

// The public ceremony alone (trustees.json; the manifest's "trustees" member).
std::string CeremonyToJson(const verifiable::PublicCeremony& ceremony);
Result<verifiable::PublicCeremony> ParseCeremony(std::string_view text, std::string_view election);

// The manifest for `election` (one contest per jurisdiction, choose exactly one), before the
// credentials are known; CredentialsHash fills them in at import.
Manifest ManifestFor(const Election& election, const verifiable::PublicCeremony& trustees,
                     ResultsMode results, uint32_t live_min_ballots);

}  // namespace landslide::record
