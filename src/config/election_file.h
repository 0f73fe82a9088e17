// Loads an election definition from JSON, strictly: unknown or duplicate keys, wrong types and
// inconsistent ballots are errors that name the offending field.
//
//   {"name": "...", "opens_at": "2026-11-03T06:00:00Z", "closes_at": "2026-11-04T06:00:00Z",
//    "jurisdictions": [{"code": "AL", "name": "Alabama", "candidates": ["...", "..."]}, ...],
//    "ballots": "verifiable" (the default) | "sealed", "results": "after_close" | "live",
//    "live_min_ballots": 100}
//
// A file without "ballots" is a verifiable election (CONTRACT.md). The built-in 2016 election
// that `serve` and `up` use without --election is sealed.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/status.h"
#include "domain/election.h"

namespace landslide {

Result<Election> ParseElectionJson(std::string_view text);
Result<Election> LoadElectionFile(const std::filesystem::path& path);
// The file form of an election (used by `landslide election show` and tests).
std::string ElectionToJson(const Election& election);

}  // namespace landslide
