#include "cli/options.h"

#include <charconv>

#include "config/election_file.h"

namespace landslide::cli {

std::optional<std::pair<std::string, uint16_t>> ParseHostPort(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  unsigned port = 0;
  const char* b = text.data() + colon + 1;
  const char* e = text.data() + text.size();
  auto [p, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || p != e || port > 65535) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Result<Election> LoadElectionOrDefault(const std::string& file) {
  if (file.empty()) return Election::Default2016();
  return LoadElectionFile(file);
}

}  // namespace landslide::cli
