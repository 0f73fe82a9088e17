// Files and directories that `landslide up` prepares for programs it runs as another user
// (PostgreSQL and Patroni run as `postgres` when we are root): written atomically with a given
// mode, then handed to that user.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "cluster/process.h"
#include "common/status.h"

namespace landslide::cluster {

// Gives `path` to `owner` (nothing to do without one).
Status ChownTo(const std::filesystem::path& path, const std::optional<UserIds>& owner);

// Writes `content` to `path` through PATH.tmp, with `mode` and `owner` set before the rename, so
// the file is never seen half-written or with looser permissions (configs hold passwords).
Status WriteFileAs(const std::filesystem::path& path, const std::string& content, mode_t mode,
                   const std::optional<UserIds>& owner);

// A value for a libpq key=value conninfo: bare when it is plain, else single-quoted (a socket
// directory with a space in it, say).
std::string ConnValue(const std::string& value);

}  // namespace landslide::cluster
