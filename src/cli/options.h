// Small helpers shared by the command modules.
#pragma once

#include <string>

#include "common/status.h"
#include "domain/election.h"

namespace landslide::cli {

// The election of --election FILE, or the built-in 2016 ballot when FILE is empty.
Result<Election> LoadElectionOrDefault(const std::string& file);
// Writes `text` to `path` (a report, a chart), replacing what was there.
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace landslide::cli
