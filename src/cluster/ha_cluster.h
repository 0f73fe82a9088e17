// `landslide up --regions 3`: etcd x3, Patroni x3 (each running PostgreSQL 15, one primary and
// two standbys, one of them synchronous) and one `landslide serve` per region, all on loopback.
// `--restart-region NAME` brings one region of a running cluster back: its etcd member rejoins
// from its data directory, Patroni rejoins as a standby (rewinding a former primary with
// pg_rewind), and its serve starts again.
#pragma once

#include <memory>

#include "cluster/ha_region.h"
#include "cluster/local_cluster.h"

namespace landslide::cluster {

std::unique_ptr<LocalCluster> MakeHaCluster(UpContext ctx, HaTimings timings = {});

}  // namespace landslide::cluster
