#include "cli/options.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "config/election_file.h"

namespace landslide::cli {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "landslide: %s\n", message.c_str());
  return code;
}

Result<Election> LoadElectionOrDefault(const std::string& file) {
  if (file.empty()) return Election::Default2016();
  return LoadElectionFile(file);
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f) return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size() ||
      std::fflush(f.get()) != 0) {
    return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace landslide::cli
