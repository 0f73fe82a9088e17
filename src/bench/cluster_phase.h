// A full-path bench phase: bring up a local cluster with `landslide up --regions N` (spawned as a
// child, as `landslide demo` does, and stopped again at the end), import the bench's registry
// with `landslide voters import`, wait for every region to load it, then measure peak and
// half-peak with the load generator (bench/load_phases.h). Memory of every process and the
// database's size per table are read after bring-up, after the import and after casting.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "bench/bench_report.h"
#include "bench/load_phases.h"
#include "cluster/cluster_file.h"
#include "sim/vote_plan.h"

namespace landslide::bench {

struct ClusterPhaseOptions {
  PhaseKind kind = PhaseKind::kSingleRegion;
  int regions = 1;
  std::filesystem::path dir;         // the cluster's --dir; made afresh
  int base_port = 7600;              // the cluster's --base-port
  std::filesystem::path voters_csv;  // the registry to import
  std::chrono::seconds up_timeout{240};
  // When bring-up fails, record the phase as skipped rather than failed: three regions are
  // optional until `up --regions 3` exists.
  bool skip_if_up_fails = false;
  // A verifiable election: a key ceremony in DIR/trustees and DIR/election.json before `up`,
  // credentials and the manifest at import, and ballots built by the load generator.
  bool verifiable = false;
  LoadSettings load;  // targets are filled in from the cluster file
};

PhaseResult RunClusterPhase(const ClusterPhaseOptions& options, const sim::VotePlan& plan,
                            const std::function<void(std::string_view)>& say);

// What the bench reads from a running cluster, exposed for `landslide bench` and tests.
// Memory of each region's processes, bytes under DIR/<region>, and (when `with_database`)
// pg_database_size and per-table sizes on the primary.
ResourceSnapshot TakeSnapshot(const cluster::ClusterInfo& info, const std::filesystem::path& dir,
                              std::string when, bool with_database);

}  // namespace landslide::bench
