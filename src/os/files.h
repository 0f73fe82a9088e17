// Whole files: written atomically (never seen half-written), read at once, and handed to the user
// a program runs as (PostgreSQL and Patroni run as `postgres` when we are root).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "os/users.h"

namespace landslide::os {

// Gives `path` to `owner` (nothing to do without one).
Status ChownTo(const std::filesystem::path& path, const std::optional<UserIds>& owner);

// Writes `content` to `path` through PATH.tmp, with `mode` and `owner` set before the rename, so
// the file is never seen half-written or with looser permissions (configs hold passwords).
Status WriteFileAs(const std::filesystem::path& path, const std::string& content, mode_t mode,
                   const std::optional<UserIds>& owner);

// Replaces `path` with `content` atomically (temporary file, fsync, rename, fsync of the dir).
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);
// The whole of `path`, or kNotFound.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace landslide::os
