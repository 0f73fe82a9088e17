#include "cluster/owned_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace landslide::cluster {

namespace fs = std::filesystem;

Status ChownTo(const fs::path& path, const std::optional<UserIds>& owner) {
  if (owner && chown(path.c_str(), owner->uid, owner->gid) != 0) {
    return Status::Internal("cannot give " + path.string() + " to user " + owner->name + ": " +
                            std::strerror(errno));
  }
  return Status::Ok();
}

Status WriteFileAs(const fs::path& path, const std::string& content, mode_t mode,
                   const std::optional<UserIds>& owner) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return Status::Internal("cannot write " + tmp.string());
  }
  if (chmod(tmp.c_str(), mode) != 0) {
    return Status::Internal("cannot chmod " + tmp.string() + ": " + std::strerror(errno));
  }
  LANDSLIDE_RETURN_IF_ERROR(ChownTo(tmp, owner));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot replace " + path.string() + ": " + ec.message());
  return Status::Ok();
}

std::string ConnValue(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string::npos) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace landslide::cluster
