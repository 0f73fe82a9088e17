// The voter website and results dashboard: static files from web/, compiled into the binary so
// that every region serves them with no build step and nothing beside the binary.
#pragma once

#include <string_view>
#include <vector>

namespace landslide::web {

struct Asset {
  std::string_view name;  // file name in web/, e.g. "index.html"
  std::string_view body;
};

const std::vector<Asset>& Assets();

// "text/html; charset=utf-8" for .html, and so on.
std::string_view ContentTypeFor(std::string_view name);

}  // namespace landslide::web
