// Users of this machine, as the password and group databases know them: whom PostgreSQL and
// Patroni run as when we are root.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace landslide::os {

struct UserIds {
  std::string name;
  uid_t uid;
  gid_t gid;
  std::string home;
  std::vector<gid_t> groups;  // primary and supplementary
};

// Looks `user` up in the password database: uid, primary gid and groups, or kNotFound.
Result<UserIds> LookUpUser(const std::string& user);

}  // namespace landslide::os
