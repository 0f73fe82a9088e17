#include "domain/results_2016.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace landslide {
namespace embedded {
extern const std::string_view kPresident2016Csv;
}

namespace {
std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}
bool ParseCount(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}
}  // namespace

std::vector<StateResult2016> ParseResults2016(std::string_view csv, std::string* error) {
  std::vector<StateResult2016> rows;
  size_t pos = 0;
  int line_no = 0;
  while (pos < csv.size()) {
    size_t nl = csv.find('\n', pos);
    std::string_view line = csv.substr(pos, nl == std::string_view::npos ? csv.npos : nl - pos);
    pos = nl == std::string_view::npos ? csv.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 || line.empty()) continue;
    auto f = SplitFields(line);
    StateResult2016 r;
    bool ok = f.size() == 9 && f[0].size() == 2;
    if (ok) {
      r.code = std::string(f[0]);
      r.name = std::string(f[1]);
      ok = ParseCount(f[2], &r.total) && ParseCount(f[8], &r.other);
      for (int i = 0; ok && i < 5; ++i) ok = ParseCount(f[3 + i], &r.candidate_votes[i]);
    }
    if (ok) {
      int64_t sum = r.other;
      for (auto v : r.candidate_votes) sum += v;
      ok = sum == r.total && r.total > 0;
    }
    if (!ok) {
      if (error) *error = "line " + std::to_string(line_no) + " is malformed";
      return {};
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

const std::vector<StateResult2016>& Results2016() {
  static const std::vector<StateResult2016> rows = [] {
    std::string error;
    auto parsed = ParseResults2016(embedded::kPresident2016Csv, &error);
    if (parsed.size() != 51) {
      std::fprintf(stderr, "embedded 2016 results are corrupt: %s\n", error.c_str());
      std::abort();
    }
    return parsed;
  }();
  return rows;
}

}  // namespace landslide
