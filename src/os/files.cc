#include "os/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace landslide::os {

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

Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::Internal("cannot create " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return Status::Internal("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return Status::Internal("cannot flush " + tmp.string() + ": " + std::strerror(errno));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Status::Internal("cannot rename " + tmp.string() + ": " + std::strerror(err));
  }
  // The rename itself must survive a crash too.
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace landslide::os
