// The read side of a region on PostgreSQL: a few worker threads, each with its own connection
// to the region's standby, answer ReadModel look-ups; a monitor thread probes the primary and
// the standby and reloads the registry when an import bumps its generation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "domain/election.h"
#include "voting/read_model.h"
#include "voting/vote_service.h"

namespace landslide::db {

struct ReadModelOptions {
  std::string replica_conninfo;
  int threads = 2;
  size_t max_queued = 10000;  // look-ups beyond this fail fast with kResourceExhausted
};

std::unique_ptr<ReadModel> MakePgReadModel(const ReadModelOptions& options);

// Starts the monitor thread; it stops when the returned object is destroyed.
std::unique_ptr<RegionMonitor> StartRegionMonitor(const std::string& primary_conninfo,
                                                  const std::string& replica_conninfo,
                                                  const Election& election,
                                                  RegistryHolder& registry,
                                                  std::chrono::milliseconds interval);

}  // namespace landslide::db
