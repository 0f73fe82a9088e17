#include "os/users.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace landslide::os {

Result<UserIds> LookUpUser(const std::string& user) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    return Status::NotFound("user " + user + " does not exist");
  }
  UserIds ids{user, pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : "/", {}};
  int n = 64;
  ids.groups.resize(n);
  if (getgrouplist(user.c_str(), ids.gid, ids.groups.data(), &n) < 0) {
    ids.groups.resize(n);
    if (getgrouplist(user.c_str(), ids.gid, ids.groups.data(), &n) < 0) n = 0;
  }
  ids.groups.resize(n);
  if (ids.groups.empty()) ids.groups.push_back(ids.gid);
  return ids;
}

}  // namespace landslide::os
