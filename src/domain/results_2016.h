// The certified 2016 presidential results by state (FEC), compiled into the binary from
// data/president-2016-by-state.csv. Used to draw mock voters in proportion to turnout and to
// simulate votes with each state's real split.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace landslide {

// The five candidates of the seed demo, in the CSV's column order.
inline constexpr std::array<std::string_view, 5> kCandidates2016 = {
    "Donald Trump", "Hillary Clinton", "Gary Johnson", "Jill Stein", "Evan McMullin"};

struct StateResult2016 {
  std::string code;  // "AL"
  std::string name;  // "Alabama"
  int64_t total = 0;
  std::array<int64_t, 5> candidate_votes{};  // in kCandidates2016 order
  int64_t other = 0;                         // write-ins and minor candidates
};

// All 51 jurisdictions in file order (alphabetical by name). Parsed once; aborts on a corrupt
// embedded file, which would be a build error.
const std::vector<StateResult2016>& Results2016();

// Exposed for tests: parses CSV text of the same shape.
std::vector<StateResult2016> ParseResults2016(std::string_view csv, std::string* error);

}  // namespace landslide
