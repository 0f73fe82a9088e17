#include "sim/vote_plan.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "domain/results_2016.h"
#include "domain/voter_id.h"
#include "sim/seeded_random.h"

namespace landslide::sim {

namespace {

constexpr std::string_view kHeader = "id,first_name,last_name,address,state";

std::array<int64_t, kCandidateCount> Weights(uint8_t state) {
  const auto& s = Results2016()[state];
  std::array<int64_t, kCandidateCount> w{};
  for (size_t c = 0; c < kCandidateCount; ++c) w[c] = s.candidate_votes[c];
  return w;
}

// State code -> index into Results2016() in one table look-up (codes are two capital letters),
// since a registry has over a million rows.
class StateCodes {
 public:
  StateCodes() {
    table_.fill(-1);
    const auto& states = Results2016();
    for (size_t i = 0; i < states.size(); ++i) {
      if (auto k = Key(states[i].code); k >= 0)
        table_[static_cast<size_t>(k)] = static_cast<int>(i);
    }
  }
  int Find(std::string_view code) const {
    const int k = Key(code);
    return k < 0 ? StateIndex2016(code) : table_[static_cast<size_t>(k)];
  }

 private:
  static int Key(std::string_view code) {
    if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
      return -1;
    }
    return (code[0] - 'A') * 26 + (code[1] - 'A');
  }
  std::array<int, size_t{26} * 26> table_;
};

std::string_view TrimCr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

int StateIndex2016(std::string_view code) {
  const auto& states = Results2016();
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i].code == code) return static_cast<int>(i);
  }
  return -1;
}

size_t WeightedDraw(std::mt19937_64& rng, const std::array<int64_t, kCandidateCount>& weights) {
  uint64_t total = 0;
  for (int64_t w : weights) total += static_cast<uint64_t>(std::max<int64_t>(w, 0));
  if (total == 0) return 0;
  uint64_t r = UniformBelow(rng, total);
  for (size_t i = 0; i < weights.size(); ++i) {
    const auto w = static_cast<uint64_t>(std::max<int64_t>(weights[i], 0));
    if (r < w) return i;
    r -= w;
  }
  return weights.size() - 1;  // unreachable: r < total
}

VotePlan::VotePlan(uint64_t seed) : seed_(seed), rng_(seed) {}

void VotePlan::Add(std::string_view id, uint8_t state) {
  const auto candidate = static_cast<uint8_t>(WeightedDraw(rng_, Weights(state)));
  votes_.push_back({ids_.size(), static_cast<uint8_t>(id.size()), state, candidate});
  ids_.append(id);
}

StateCandidateCounts VotePlan::Counts() const {
  StateCandidateCounts counts(Results2016().size());
  for (const auto& v : votes_) ++counts[v.state][v.candidate];
  return counts;
}

Result<VotePlan> ParseVotePlan(std::string_view csv, const VotePlanOptions& options) {
  VotePlan plan(options.seed);
  size_t pos = 0;
  int64_t line_number = 0;
  bool header_seen = false;
  const StateCodes codes;
  while (pos < csv.size()) {
    if (header_seen && options.limit >= 0 && static_cast<int64_t>(plan.size()) >= options.limit) {
      break;
    }
    size_t eol = csv.find('\n', pos);
    if (eol == std::string_view::npos) eol = csv.size();
    std::string_view line = TrimCr(csv.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_number;
    if (!header_seen) {
      if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (line != kHeader) {
        return Status::InvalidArgument("line 1 of the registry must be the header \"" +
                                       std::string(kHeader) + "\"");
      }
      header_seen = true;
      continue;
    }
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(line_number) + " of the registry";
    const size_t first = line.find(',');
    const size_t last = line.rfind(',');
    if (first == std::string_view::npos || first == last) {
      return Status::InvalidArgument(where + " does not have the 5 fields " + std::string(kHeader));
    }
    const std::string_view id = line.substr(0, first);
    const std::string_view state = line.substr(last + 1);
    if (!IsValidVoterId(id)) {
      return Status::InvalidArgument(where +
                                     " has an id that is not 3 groups of 5 base58 "
                                     "characters joined by '-'");
    }
    const int index = codes.Find(state);
    if (index < 0) {
      return Status::InvalidArgument(where + " has the state \"" +
                                     std::string(state.substr(0, 20)) +
                                     "\", which is not one of the 51 of 2016");
    }
    plan.Add(id, static_cast<uint8_t>(index));
  }
  if (!header_seen) return Status::InvalidArgument("the registry file is empty");
  return plan;
}

Result<VotePlan> LoadVotePlan(const std::string& path, const VotePlanOptions& options) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) {
    const int err = errno;
    const std::string why = std::strerror(err);
    if (err == ENOENT) return Status::NotFound("the registry file " + path + " does not exist");
    return Status::InvalidArgument("cannot open the registry file " + path + ": " + why);
  }
  // Read it whole: about 50 bytes a voter, 70 MB for the default registry.
  std::string text;
  char buf[1 << 16];
  size_t n;
  int64_t lines = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    text.append(buf, n);
    // With a limit, stop reading once enough lines are in (plus the header).
    lines += std::count(buf, buf + n, '\n');
    if (options.limit >= 0 && lines > options.limit + 1) break;
  }
  if (std::ferror(f.get())) {
    return Status::InvalidArgument("cannot read the registry file " + path);
  }
  auto plan = ParseVotePlan(text, options);
  if (!plan.ok()) return plan.status().Context(path);
  return plan;
}

}  // namespace landslide::sim
