// A fresh directory under the system's temporary directory, removed with everything in it when
// the object goes away (kept when LANDSLIDE_KEEP_TEST_DIRS is set, to look at after a failure).
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace landslide::testing {

class TempDir {
 public:
  // `prefix` names the directory: /tmp/PREFIX-XXXXXX. path() is empty if it cannot be made.
  explicit TempDir(const std::string& prefix = "landslide-test") {
    std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~TempDir() {
    if (path_.empty() || std::getenv("LANDSLIDE_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace landslide::testing
