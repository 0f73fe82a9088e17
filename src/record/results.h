// After close: a trustee's partial decryptions of the aggregates, and their combination into
// the published counts. Both sides check everything they read against the manifest.
#pragma once

#include <map>

#include "common/status.h"
#include "crypto/trustee_files.h"
#include "record/manifest.h"
#include "record/record_files.h"

namespace landslide::record {

// The trustee's partial decryption of every aggregate, with proofs. Fails if the share does not
// belong to this manifest's ceremony or an aggregate is for a jurisdiction it does not know.
Result<Partials> DecryptAggregates(const Manifest& manifest, const Bytes32& manifest_hash,
                                   const verifiable::TrusteeShare& share,
                                   const Aggregates& aggregates);

// Verifies every trustee's partials and combines those of the first `threshold` trustees whose
// partials all verify; a trustee with a bad proof is listed in `refused` (and named in the error
// if too few good ones remain).
Result<Results> CombineResults(const Manifest& manifest, const Bytes32& manifest_hash,
                               const Aggregates& aggregates,
                               const std::map<uint32_t, Partials>& partials);

}  // namespace landslide::record
