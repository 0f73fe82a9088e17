#include "bench/bench_report.h"

#include <cmath>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

namespace landslide::bench {

namespace {

using nlohmann::ordered_json;

constexpr PhaseKind kAllPhases[] = {PhaseKind::kBaseline, PhaseKind::kSingleRegion,
                                    PhaseKind::kThreeRegions, PhaseKind::kVerifiableSingleRegion,
                                    PhaseKind::kVerifiableThreeRegions};
constexpr size_t kPhaseCount = std::size(kAllPhases);

ordered_json OrNull(const std::optional<double>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

// Figures rounded for people reading the JSON; full precision would only suggest accuracy the
// noisy machine does not have.
double Round(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}
std::optional<double> Round(std::optional<double> v, int decimals) {
  if (!v) return v;
  return Round(*v, decimals);
}

ordered_json LatencyJson(const sim::LatencySummary& s) {
  return {{"count", s.count},
          {"p50_ms", Round(s.p50_ms, 3)},
          {"p90_ms", Round(s.p90_ms, 3)},
          {"p99_ms", Round(s.p99_ms, 3)},
          {"p999_ms", Round(s.p999_ms, 3)},
          {"max_ms", Round(s.max_ms, 3)},
          {"mean_ms", Round(s.mean_ms, 3)}};
}

ordered_json RunJson(const RunSummary& r) {
  ordered_json by_status = ordered_json::object();
  for (const auto& [code, n] : r.by_status) by_status[std::to_string(code)] = n;
  return {{"mode", r.mode},
          {"concurrency", r.concurrency},
          {"rate", Round(r.rate, 1)},
          {"voters", r.voters},
          {"sent", r.sent},
          {"counted", r.counted},
          {"failed", r.failed},
          {"retries", r.retries},
          {"duration_s", Round(r.duration_s, 3)},
          {"votes_per_s", Round(r.votes_per_s, 1)},
          {"by_status", std::move(by_status)},
          {"latency", LatencyJson(r.latency)},
          {"verified", r.verified},
          {"notes", r.notes},
          {"problems", r.problems}};
}

ordered_json ResourcesJson(const ResourceSnapshot& s) {
  ordered_json processes = ordered_json::array();
  for (const auto& p : s.processes) {
    processes.push_back({{"region", p.region},
                         {"process", p.process},
                         {"pid", p.pid},
                         {"rss_bytes", p.rss_bytes},
                         {"hwm_bytes", p.hwm_bytes},
                         {"pss_bytes", p.pss_bytes},
                         {"cpu_seconds", Round(p.cpu_seconds, 3)}});
  }
  ordered_json tables = ordered_json::array();
  for (const auto& t : s.tables) {
    tables.push_back({{"table", t.table},
                      {"rows", t.rows},
                      {"total_bytes", t.total_bytes},
                      {"heap_bytes", t.heap_bytes},
                      {"index_bytes", t.index_bytes}});
  }
  ordered_json dirs = ordered_json::object();
  for (const auto& [region, bytes] : s.region_dir_bytes) dirs[region] = bytes;
  return {{"when", s.when},
          {"processes", std::move(processes)},
          {"database_bytes", s.database_bytes >= 0 ? ordered_json(s.database_bytes) : nullptr},
          {"wal_position_bytes",
           s.wal_position_bytes >= 0 ? ordered_json(s.wal_position_bytes) : nullptr},
          {"tables", std::move(tables)},
          {"region_dir_bytes", std::move(dirs)},
          {"errors", s.errors}};
}

ordered_json PhaseJson(const PhaseResult& p) {
  ordered_json timings = ordered_json::object();
  for (const auto& [step, s] : p.timings_s) timings[step] = Round(s, 3);
  ordered_json resources = ordered_json::array();
  for (const auto& r : p.resources) resources.push_back(ResourcesJson(r));
  return {{"name", PhaseFlagName(p.kind)},
          {"title", PhaseTitle(p.kind)},
          {"status", PhaseStatusName(p.status)},
          {"reason", p.reason.empty() ? ordered_json(nullptr) : ordered_json(p.reason)},
          {"regions", p.regions},
          {"voters", p.voters},
          {"targets", p.targets},
          {"timings_s", std::move(timings)},
          {"commands", p.commands},
          {"peak", p.peak ? RunJson(*p.peak) : ordered_json(nullptr)},
          {"half_peak", p.half ? RunJson(*p.half) : ordered_json(nullptr)},
          {"resources", std::move(resources)},
          {"serve_cpu_us_per_ballot", OrNull(Round(p.serve_cpu_us_per_ballot(), 1))},
          {"ballot_build_us_per_core", OrNull(Round(p.ballot_build_us_per_core, 1))},
          {"load_average_1m_at_start", p.load_average_1m_start},
          {"load_average_1m_at_end", p.load_average_1m}};
}

std::optional<double> PeakRate(const PhaseResult* p) {
  if (!p || !p->peak || p->peak->counted == 0) return std::nullopt;
  return p->peak->votes_per_s;
}

std::optional<double> P99AtHalf(const PhaseResult* p) {
  if (!p || !p->half || p->half->counted == 0) return std::nullopt;
  return p->half->latency.p99_ms;
}

double Mib(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

std::string Number(const std::optional<double>& v, const char* fmt) {
  if (!v) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

}  // namespace

std::string_view PhaseFlagName(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::kBaseline:
      return "baseline";
    case PhaseKind::kSingleRegion:
      return "single";
    case PhaseKind::kThreeRegions:
      return "three";
    case PhaseKind::kVerifiableSingleRegion:
      return "verifiable-single";
    case PhaseKind::kVerifiableThreeRegions:
      return "verifiable-three";
  }
  return "?";
}

std::string_view PhaseTitle(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::kBaseline:
      return "no-op HTTP baseline";
    case PhaseKind::kSingleRegion:
      return "one region";
    case PhaseKind::kThreeRegions:
      return "three regions";
    case PhaseKind::kVerifiableSingleRegion:
      return "one region, verifiable ballots";
    case PhaseKind::kVerifiableThreeRegions:
      return "three regions, verifiable ballots";
  }
  return "?";
}

Result<std::vector<PhaseKind>> ParsePhases(std::string_view csv) {
  bool wanted[kPhaseCount] = {};
  size_t start = 0;
  while (start <= csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view name = csv.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    bool found = false;
    for (size_t i = 0; i < kPhaseCount; ++i) {
      if (name == PhaseFlagName(kAllPhases[i])) {
        if (wanted[i]) {
          return Status::InvalidArgument("--phases names " + std::string(name) + " twice");
        }
        wanted[i] = found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument(
          "--phases takes baseline, single, three, verifiable-single and verifiable-three, not \"" +
          std::string(name) + "\"");
    }
    start = end + 1;
  }
  std::vector<PhaseKind> out;
  for (size_t i = 0; i < kPhaseCount; ++i) {
    if (wanted[i]) out.push_back(kAllPhases[i]);
  }
  return out;
}

std::string_view PhaseStatusName(PhaseStatus s) {
  switch (s) {
    case PhaseStatus::kPassed:
      return "passed";
    case PhaseStatus::kFailed:
      return "failed";
    case PhaseStatus::kSkipped:
      return "skipped";
  }
  return "?";
}

RunSummary SummarizeRun(const sim::SimulationReport& r, std::string mode) {
  RunSummary s;
  s.mode = std::move(mode);
  s.concurrency = r.concurrency;
  s.rate = r.rate;
  s.voters = r.voters;
  s.sent = r.sent;
  s.counted = r.counted;
  s.failed = r.failed;
  s.retries = r.retries;
  s.duration_s = r.duration_s;
  s.votes_per_s = r.votes_per_s;
  s.by_status = r.by_status;
  s.latency = sim::Summarize(r.vote_latency);
  s.verified = r.verified;
  s.notes = r.notes;
  s.problems = r.problems;
  return s;
}

std::optional<double> Ratio(std::optional<double> a, std::optional<double> b) {
  if (!a || !b || !(*b > 0) || !std::isfinite(*a)) return std::nullopt;
  return *a / *b;
}

Headline ComputeHeadline(const BenchReport& report) {
  const PhaseResult* base = FindPhase(report, PhaseKind::kBaseline);
  const PhaseResult* one = FindPhase(report, PhaseKind::kSingleRegion);
  const PhaseResult* three = FindPhase(report, PhaseKind::kThreeRegions);
  Headline h;
  h.baseline_rps = PeakRate(base);
  h.single_region_votes_per_s = PeakRate(one);
  h.three_region_votes_per_s = PeakRate(three);
  h.baseline_p99_ms_at_half = P99AtHalf(base);
  h.single_region_p99_ms_at_half = P99AtHalf(one);
  h.three_region_p99_ms_at_half = P99AtHalf(three);
  h.single_region_ratio_to_baseline = Ratio(h.single_region_votes_per_s, h.baseline_rps);
  h.three_region_ratio_to_baseline = Ratio(h.three_region_votes_per_s, h.baseline_rps);
  h.three_region_ratio_to_single_region =
      Ratio(h.three_region_votes_per_s, h.single_region_votes_per_s);
  const PhaseResult* v_one = FindPhase(report, PhaseKind::kVerifiableSingleRegion);
  const PhaseResult* v_three = FindPhase(report, PhaseKind::kVerifiableThreeRegions);
  h.verifiable_single_region_votes_per_s = PeakRate(v_one);
  h.verifiable_three_region_votes_per_s = PeakRate(v_three);
  h.verifiable_ratio_to_sealed_single_region =
      Ratio(h.verifiable_single_region_votes_per_s, h.single_region_votes_per_s);
  if (one && one->status == PhaseStatus::kPassed) {
    h.single_region_serve_cpu_us_per_ballot = one->serve_cpu_us_per_ballot();
  }
  if (v_one && v_one->status == PhaseStatus::kPassed) {
    h.verifiable_single_region_serve_cpu_us_per_ballot = v_one->serve_cpu_us_per_ballot();
    h.verifiable_ballot_build_us_per_core = v_one->ballot_build_us_per_core;
  }
  return h;
}

std::optional<double> PhaseResult::serve_cpu_us_per_ballot() const {
  const ResourceSnapshot* before = nullptr;
  const ResourceSnapshot* after = nullptr;
  for (const auto& r : resources) {
    if (r.when == "after_import") before = &r;
    if (r.when == "after_cast") after = &r;
  }
  int64_t counted = (peak ? peak->counted : 0) + (half ? half->counted : 0);
  if (!before || !after || counted <= 0) return std::nullopt;
  auto serve_cpu = [](const ResourceSnapshot& s) -> std::optional<double> {
    double sum = 0;
    bool any = false;
    for (const auto& p : s.processes) {
      if (p.process != "serve") continue;
      if (p.cpu_seconds < 0) return std::nullopt;
      sum += p.cpu_seconds;
      any = true;
    }
    return any ? std::optional<double>(sum) : std::nullopt;
  };
  auto a = serve_cpu(*before), b = serve_cpu(*after);
  if (!a || !b) return std::nullopt;
  return (*b - *a) * 1e6 / static_cast<double>(counted);
}

std::vector<Goal> CheckGoals(const Headline& h) {
  auto at_least = [](std::optional<double> v, double floor) -> std::optional<bool> {
    if (!v) return std::nullopt;
    return *v >= floor;
  };
  auto under = [](std::optional<double> v, double ceiling) -> std::optional<bool> {
    if (!v) return std::nullopt;
    return *v < ceiling;
  };
  return {
      {"single_region_votes_per_s", ">= 25000", h.single_region_votes_per_s,
       at_least(h.single_region_votes_per_s, 25000)},
      {"single_region_ratio_to_baseline", ">= 0.25", h.single_region_ratio_to_baseline,
       at_least(h.single_region_ratio_to_baseline, 0.25)},
      {"three_region_votes_per_s", ">= 10000", h.three_region_votes_per_s,
       at_least(h.three_region_votes_per_s, 10000)},
      {"single_region_p99_ms_at_half", "< 50", h.single_region_p99_ms_at_half,
       under(h.single_region_p99_ms_at_half, 50)},
      {"three_region_p99_ms_at_half", "< 50", h.three_region_p99_ms_at_half,
       under(h.three_region_p99_ms_at_half, 50)},
      {"verifiable_ratio_to_sealed_single_region", ">= 0.25",
       h.verifiable_ratio_to_sealed_single_region,
       at_least(h.verifiable_ratio_to_sealed_single_region, 0.25)},
      {"verifiable_single_region_serve_cpu_us_per_ballot", "<= 300",
       h.verifiable_single_region_serve_cpu_us_per_ballot,
       h.verifiable_single_region_serve_cpu_us_per_ballot
           ? std::optional<bool>(*h.verifiable_single_region_serve_cpu_us_per_ballot <= 300)
           : std::nullopt},
  };
}

const PhaseResult* FindPhase(const BenchReport& report, PhaseKind kind) {
  for (const auto& p : report.phases) {
    if (p.kind == kind) return &p;
  }
  return nullptr;
}

bool AllRanPassed(const BenchReport& report) {
  for (const auto& p : report.phases) {
    if (p.status == PhaseStatus::kFailed) return false;
  }
  return true;
}

std::string RenderBenchJson(const BenchReport& report) {
  const Headline h = ComputeHeadline(report);
  ordered_json phases_run = ordered_json::array();
  for (PhaseKind k : report.settings.phases) phases_run.push_back(PhaseFlagName(k));
  ordered_json goals = ordered_json::array();
  for (const auto& g : CheckGoals(h)) {
    goals.push_back({{"name", g.name},
                     {"target", g.target},
                     {"measured", OrNull(Round(g.measured, 3))},
                     {"met", g.met ? ordered_json(*g.met) : ordered_json(nullptr)}});
  }
  ordered_json phases = ordered_json::array();
  for (const auto& p : report.phases) phases.push_back(PhaseJson(p));
  auto load = [](const double(&l)[3]) {
    return l[0] < 0 ? ordered_json(nullptr) : ordered_json({l[0], l[1], l[2]});
  };
  ordered_json j = {
      {"benchmark", "landslide bench"},
      {"ok", AllRanPassed(report)},
      {"baseline_rps", OrNull(Round(h.baseline_rps, 1))},
      {"single_region_votes_per_s", OrNull(Round(h.single_region_votes_per_s, 1))},
      {"three_region_votes_per_s", OrNull(Round(h.three_region_votes_per_s, 1))},
      {"baseline_p99_ms_at_half", OrNull(Round(h.baseline_p99_ms_at_half, 3))},
      {"single_region_p99_ms_at_half", OrNull(Round(h.single_region_p99_ms_at_half, 3))},
      {"three_region_p99_ms_at_half", OrNull(Round(h.three_region_p99_ms_at_half, 3))},
      {"baseline_ratio_to_baseline", h.baseline_rps ? ordered_json(1.0) : nullptr},
      {"single_region_ratio_to_baseline", OrNull(Round(h.single_region_ratio_to_baseline, 4))},
      {"three_region_ratio_to_baseline", OrNull(Round(h.three_region_ratio_to_baseline, 4))},
      {"three_region_ratio_to_single_region",
       OrNull(Round(h.three_region_ratio_to_single_region, 4))},
      {"verifiable_single_region_votes_per_s",
       OrNull(Round(h.verifiable_single_region_votes_per_s, 1))},
      {"verifiable_three_region_votes_per_s",
       OrNull(Round(h.verifiable_three_region_votes_per_s, 1))},
      {"verifiable_ratio_to_sealed_single_region",
       OrNull(Round(h.verifiable_ratio_to_sealed_single_region, 4))},
      {"single_region_serve_cpu_us_per_ballot",
       OrNull(Round(h.single_region_serve_cpu_us_per_ballot, 1))},
      {"verifiable_single_region_serve_cpu_us_per_ballot",
       OrNull(Round(h.verifiable_single_region_serve_cpu_us_per_ballot, 1))},
      {"verifiable_ballot_build_us_per_core",
       OrNull(Round(h.verifiable_ballot_build_us_per_core, 1))},
      {"started_at", report.started_at},
      {"finished_at", report.finished_at},
      {"duration_s", Round(report.duration_s, 1)},
      {"git_commit", report.git_commit ? ordered_json(*report.git_commit) : nullptr},
      {"git_dirty", report.git_dirty},
      {"machine",
       {{"nproc", report.machine.nproc},
        {"cpu_model", report.machine.cpu_model},
        {"memory_bytes", report.machine.memory_bytes},
        {"kernel", report.machine.kernel},
        {"hostname", report.machine.hostname},
        {"load_average_start", load(report.load_average_start)},
        {"load_average_end", load(report.load_average_end)}}},
      {"options",
       {{"voters", report.settings.voters},
        {"concurrency", report.settings.concurrency},
        {"client_threads", report.settings.client_threads},
        {"server_threads", report.settings.server_threads},
        {"phases", std::move(phases_run)},
        {"dir", report.settings.dir},
        {"keep", report.settings.keep},
        {"base_port", report.settings.base_port},
        {"seed", report.settings.seed},
        {"closed_loop_fraction", report.settings.closed_fraction}}},
      {"goals", std::move(goals)},
      {"notes", report.notes},
      {"phases", std::move(phases)},
  };
  return j.dump(2) + "\n";
}

std::string RenderBenchTable(const BenchReport& report) {
  const Headline h = ComputeHeadline(report);
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "\n%-22s %-8s %13s %9s %12s %12s\n", "phase", "status",
                "peak votes/s", "x base", "p50 @half", "p99 @half");
  out += line;
  for (const auto& p : report.phases) {
    std::optional<double> rate = PeakRate(&p);
    std::optional<double> p50;
    if (p.half && p.half->counted > 0) p50 = p.half->latency.p50_ms;
    std::snprintf(line, sizeof line, "%-22s %-8s %13s %9s %12s %12s\n",
                  std::string(PhaseTitle(p.kind)).c_str(),
                  std::string(PhaseStatusName(p.status)).c_str(), Number(rate, "%.0f").c_str(),
                  Number(Ratio(rate, h.baseline_rps), "%.3f").c_str(),
                  Number(p50, "%.2f ms").c_str(), Number(P99AtHalf(&p), "%.2f ms").c_str());
    out += line;
    if (!p.reason.empty()) out += "    " + p.reason + "\n";
  }
  for (const auto& p : report.phases) {
    if (p.resources.empty() || p.resources.back().database_bytes < 0) continue;
    const ResourceSnapshot& s = p.resources.back();
    std::snprintf(line, sizeof line, "%s, after casting: database %.1f MiB (",
                  std::string(PhaseTitle(p.kind)).c_str(), Mib(s.database_bytes));
    out += line;
    for (size_t i = 0; i < s.tables.size(); ++i) {
      std::snprintf(line, sizeof line, "%s%s %.1f", i ? ", " : "", s.tables[i].table.c_str(),
                    Mib(s.tables[i].total_bytes));
      out += line;
    }
    out += ")";
    for (const auto& m : s.processes) {
      if (m.process != "serve" || m.rss_bytes < 0) continue;
      std::snprintf(line, sizeof line, "; %s serve RSS %.1f MiB", m.region.c_str(),
                    Mib(m.rss_bytes));
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace landslide::bench
