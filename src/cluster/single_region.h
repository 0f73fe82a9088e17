// `landslide up --regions 1`: one PostgreSQL server (run as the `postgres` user when we are root)
// and one `landslide serve` in front of it; the region's "standby" is that same server.
#pragma once

#include <memory>

#include "cluster/local_cluster.h"

namespace landslide::cluster {

std::unique_ptr<LocalCluster> MakeSingleRegionCluster(UpContext ctx);

}  // namespace landslide::cluster
