#include "sim/verify_tallies.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "domain/results_2016.h"
#include "sim/target_pool.h"

namespace landslide::sim {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kPollEvery = std::chrono::milliseconds(250);
constexpr auto kStableFor = std::chrono::seconds(2);
constexpr auto kGiveUpAfter = std::chrono::seconds(5);
constexpr auto kReadTimeout = std::chrono::milliseconds(10000);

int64_t CountOf(const ReportedTallies& t, const std::string& state, const std::string& cand) {
  auto s = t.states.find(state);
  if (s == t.states.end()) return 0;
  auto c = s->second.find(cand);
  return c == s->second.end() ? 0 : c->second;
}

std::string Signed(int64_t v) { return (v >= 0 ? "+" : "") + std::to_string(v); }

// GET /board first: a verifiable election answers it (turnout), a sealed one says 404.
Result<ReportedTallies> ReadVotes(const Target& target) {
  auto board = HttpGet(target, "/board", kReadTimeout);
  if (!board.ok()) return board.status();
  if (board->status == 200) {
    auto t = ParseBoardJson(board->body);
    if (!t.ok()) return t.status().Context(target.url + "/board");
    return t;
  }
  auto reply = HttpGet(target, "/votes", kReadTimeout);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return Status::Unavailable(target.url + "/votes answered " + std::to_string(reply->status));
  }
  auto t = ParseVotesJson(reply->body);
  if (!t.ok()) return t.status().Context(target.url + "/votes");
  return t;
}

}  // namespace

Result<ReportedTallies> ParseVotesJson(std::string_view body) {
  using nlohmann::json;
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("the answer is not a JSON object");
  auto total = j.find("total_count");
  auto states = j.find("states");
  if (total == j.end() || !total->is_number_integer() || states == j.end() || !states->is_array()) {
    return Status::InvalidArgument("the answer lacks total_count or states");
  }
  ReportedTallies out;
  out.total = total->get<int64_t>();
  for (const auto& s : *states) {
    auto code = s.find("state");
    auto results = s.find("results");
    if (!s.is_object() || code == s.end() || !code->is_string() || results == s.end() ||
        !results->is_array()) {
      return Status::InvalidArgument("a state lacks state or results");
    }
    auto& row = out.states[code->get<std::string>()];
    for (const auto& r : *results) {
      auto cand = r.find("candidate");
      auto count = r.find("count");
      if (!r.is_object() || cand == r.end() || !cand->is_string() || count == r.end() ||
          !count->is_number_integer()) {
        return Status::InvalidArgument("a result lacks candidate or count");
      }
      row[cand->get<std::string>()] = count->get<int64_t>();
    }
  }
  return out;
}

Result<ReportedTallies> ParseBoardJson(std::string_view body) {
  using nlohmann::json;
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("the answer is not a JSON object");
  auto cast = j.find("cast");
  auto by = j.find("cast_by_jurisdiction");
  if (cast == j.end() || !cast->is_number_integer() || by == j.end() || !by->is_object()) {
    return Status::InvalidArgument("the answer lacks cast or cast_by_jurisdiction");
  }
  ReportedTallies out;
  out.turnout_only = true;
  out.total = cast->get<int64_t>();
  for (const auto& [code, n] : by->items()) {
    if (!n.is_number_integer()) return Status::InvalidArgument("a turnout is not a number");
    out.states[code][std::string(kBallotsCast)] = n.get<int64_t>();
  }
  return out;
}

std::vector<std::string> CompareTallies(const ReportedTallies& before, const ReportedTallies& after,
                                        const StateCandidateCounts& counted, size_t max_listed) {
  // Every (state, candidate) that either side mentions.
  std::map<std::string, std::map<std::string, int64_t>> expected;
  const auto& states = Results2016();
  int64_t expected_total = 0;
  for (size_t s = 0; s < counted.size() && s < states.size(); ++s) {
    for (size_t c = 0; c < kCandidateCount; ++c) {
      const std::string key =
          after.turnout_only ? std::string(kBallotsCast) : std::string(kCandidates2016[c]);
      expected[states[s].code][key] += counted[s][c];
      expected_total += counted[s][c];
    }
  }
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto* t : {&before, &after}) {
    for (const auto& [state, row] : t->states) {
      for (const auto& [cand, n] : row) keys.emplace(state, cand);
    }
  }
  for (const auto& [state, row] : expected) {
    for (const auto& [cand, n] : row) keys.emplace(state, cand);
  }
  std::vector<std::string> out;
  size_t more = 0;
  auto note = [&](std::string line) {
    if (out.size() < max_listed) {
      out.push_back(std::move(line));
    } else {
      ++more;
    }
  };
  if (after.total - before.total != expected_total) {
    note("total: expected " + Signed(expected_total) + ", got " +
         Signed(after.total - before.total));
  }
  for (const auto& [state, cand] : keys) {
    const int64_t delta = CountOf(after, state, cand) - CountOf(before, state, cand);
    int64_t want = 0;
    if (auto s = expected.find(state); s != expected.end()) {
      if (auto c = s->second.find(cand); c != s->second.end()) want = c->second;
    }
    if (delta != want) {
      std::string line = state;
      line.append(" ").append(cand).append(": expected ").append(Signed(want));
      note(line.append(", got ").append(Signed(delta)));
    }
  }
  if (more > 0) out.push_back("... and " + std::to_string(more) + " more differences");
  return out;
}

Result<Baselines> ReadBaselines(const std::vector<Target>& targets, std::chrono::milliseconds wait,
                                bool allow_unreachable, std::vector<std::string>* warnings) {
  const auto deadline = SteadyClock::now() + wait;
  while (true) {
    Baselines out;
    std::vector<std::string> unreachable;
    for (const auto& t : targets) {
      auto r = ReadVotes(t);
      if (r.ok()) {
        out.push_back(std::move(*r));
        continue;
      }
      if (!allow_unreachable) {
        return Status::Unavailable(
            "cannot read the results before voting, so they could not "
            "be checked afterwards: " +
            r.status().message());
      }
      out.push_back(std::nullopt);
      unreachable.push_back(t.url + "'s results cannot be read before voting (" +
                            r.status().message() + "); it will not be checked");
    }
    std::optional<int64_t> total;
    bool agree = true;
    for (const auto& r : out) {
      if (!r) continue;
      if (total && *total != r->total) agree = false;
      total = r->total;
    }
    if (agree || SteadyClock::now() >= deadline) {
      if (warnings) {
        *warnings = std::move(unreachable);
        if (!agree) {
          warnings->push_back(
              "the regions' totals still differ before voting (a tallier is "
              "catching up); their deltas may not match");
        }
      }
      return out;
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

std::vector<TargetVerification> VerifyTargets(
    const std::vector<Target>& targets, const Baselines& before,
    const StateCandidateCounts& counted, std::chrono::milliseconds settle_timeout,
    const std::function<void(std::string_view)>& message) {
  int64_t expected_delta = 0;
  for (const auto& row : counted) {
    for (int64_t n : row) expected_delta += n;
  }
  const auto start = SteadyClock::now();
  const auto deadline = start + settle_timeout;
  struct Poll {
    std::optional<ReportedTallies> latest;
    std::string error;
    bool settled = false;
    SteadyClock::time_point changed_at;
    std::optional<SteadyClock::time_point> failing_since;
  };
  std::vector<Poll> polls(targets.size());
  std::vector<TargetVerification> out(targets.size());
  auto last_message = start;
  while (true) {
    bool all_settled = true;
    const auto now = SteadyClock::now();
    for (size_t i = 0; i < targets.size(); ++i) {
      Poll& p = polls[i];
      if (!before[i]) p.settled = true;  // nothing to compare with
      if (p.settled) continue;
      auto r = ReadVotes(targets[i]);
      if (!r.ok()) {
        p.error = r.status().message();
        // A region that stays down is reported as such rather than waited for.
        if (!p.failing_since) p.failing_since = now;
        p.settled = now - *p.failing_since >= kGiveUpAfter;
      } else {
        p.failing_since.reset();
        if (!p.latest || p.latest->total != r->total) p.changed_at = now;
        p.error.clear();
        p.latest = std::move(*r);
        const int64_t delta = p.latest->total - before[i]->total;
        out[i].settle_s = std::chrono::duration<double>(now - start).count();
        // Done when every counted ballot shows, or when the count went past it and stayed.
        p.settled =
            delta == expected_delta || (delta > expected_delta && now - p.changed_at >= kStableFor);
      }
      all_settled = all_settled && p.settled;
    }
    if (all_settled || SteadyClock::now() >= deadline) break;
    if (message && SteadyClock::now() - last_message >= std::chrono::seconds(5)) {
      last_message = SteadyClock::now();
      message("waiting for the regions' talliers to show every counted ballot...");
    }
    std::this_thread::sleep_for(kPollEvery);
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    TargetVerification& v = out[i];
    v.target = targets[i].url;
    v.expected_delta = expected_delta;
    if (!before[i]) {
      v.error = "its results could not be read before voting";
      continue;
    }
    v.before_total = before[i]->total;
    if (!polls[i].latest) {
      v.error = polls[i].error.empty() ? "no answer" : polls[i].error;
      continue;
    }
    v.reachable = true;
    v.after_total = polls[i].latest->total;
    v.mismatches = CompareTallies(*before[i], *polls[i].latest, counted);
    v.ok = v.mismatches.empty();
    if (!polls[i].error.empty()) v.error = "last read failed: " + polls[i].error;
  }
  return out;
}

SplitCheck CheckSplit(const StateCandidateCounts& counted, int64_t min_ballots, double max_z) {
  SplitCheck out;
  const auto& states = Results2016();
  for (size_t s = 0; s < counted.size() && s < states.size(); ++s) {
    int64_t n = 0;
    for (int64_t v : counted[s]) n += v;
    if (n < min_ballots || n == 0) continue;
    ++out.states_checked;
    int64_t five = 0;
    for (int64_t v : states[s].candidate_votes) five += v;
    if (five <= 0) continue;
    for (size_t c = 0; c < kCandidateCount; ++c) {
      const double p = static_cast<double>(states[s].candidate_votes[c]) / five;
      const double observed = static_cast<double>(counted[s][c]) / n;
      const double se = std::sqrt(p * (1 - p) / n);
      double z = 0;
      if (se > 0) {
        z = (observed - p) / se;
      } else if (observed != p) {
        z = std::numeric_limits<double>::infinity();  // a candidate with no 2016 votes got some
      }
      out.max_abs_z = std::max(out.max_abs_z, std::abs(z));
      if (std::abs(z) > max_z) {
        out.deviations.push_back(
            {states[s].code, std::string(kCandidates2016[c]), n, counted[s][c], p, observed, z});
      }
    }
  }
  return out;
}

}  // namespace landslide::sim
