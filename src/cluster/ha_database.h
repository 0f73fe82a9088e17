// The `landslide` role, database and schema of a three-region cluster, created once Patroni has
// elected its first leader.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cluster/ha_region.h"
#include "common/status.h"

namespace landslide::cluster {

// Creates the application role and its database on the leader (over its private socket), unless
// they exist.
Status CreateRoleAndDatabase(const HaRegion& leader);

// Creates the schema on the primary and waits until every member has replayed it, so that each
// serve finds the tables on its own standby. `still_going` is asked between attempts; a non-OK
// status ends the wait.
Status CreateSchemaOnEveryMember(const HaRegion& leader,
                                 const std::vector<std::unique_ptr<HaRegion>>& regions,
                                 const std::function<Status()>& still_going);

}  // namespace landslide::cluster
