#include "sim/simulate_report.h"

#include <unistd.h>

#include <cmath>
#include <cstdarg>
#include <nlohmann/json.hpp>

#include "domain/results_2016.h"

namespace landslide::sim {

namespace {

using nlohmann::ordered_json;

// 1234567 -> "1,234,567".
std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

std::string Duration(double s) {
  if (s < 0) return "?";
  const auto t = static_cast<int64_t>(std::llround(s));
  if (t >= 3600) {
    return Format("%lld:%02lld:%02lld", static_cast<long long>(t / 3600),
                  static_cast<long long>(t / 60 % 60), static_cast<long long>(t % 60));
  }
  return Format("%lld:%02lld", static_cast<long long>(t / 60), static_cast<long long>(t % 60));
}

std::string StatusList(const std::map<int, int64_t>& by_status) {
  std::string out;
  for (const auto& [code, n] : by_status) {
    if (!out.empty()) out += ", ";
    out += std::to_string(code) + ": " + Grouped(n);
  }
  return out.empty() ? "none" : out;
}

double Ms(int64_t micros) { return static_cast<double>(micros) / 1000.0; }

ordered_json LatencyJson(const LatencySummary& s) {
  return {{"count", s.count},  {"p50", s.p50_ms}, {"p90", s.p90_ms},  {"p99", s.p99_ms},
          {"p999", s.p999_ms}, {"max", s.max_ms}, {"mean", s.mean_ms}};
}

ordered_json StatusJson(const std::map<int, int64_t>& by_status) {
  ordered_json j = ordered_json::object();
  for (const auto& [code, n] : by_status) j[std::to_string(code)] = n;
  return j;
}

}  // namespace

// ---- progress ----

TerminalProgress::TerminalProgress(std::FILE* out, std::chrono::seconds plain_every)
    : out_(out), tty_(isatty(fileno(out)) != 0), plain_every_(plain_every) {}

void TerminalProgress::ClearLine() {
  if (tty_ && line_drawn_) {
    std::fputs("\r\x1b[K", out_);
    line_drawn_ = false;
  }
}

void TerminalProgress::OnProgress(const SimulationProgress& p) {
  const double fraction = p.total > 0 ? static_cast<double>(p.done) / p.total : 1.0;
  const std::string eta = p.eta_s >= 0 ? Duration(p.eta_s) : "?";
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::floor(fraction * kWidth));
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(out_, "\r[%s] %5.1f%%  %s/%s  %s votes/s  errors %s  retries %s  ETA %s\x1b[K",
                 bar.c_str(), fraction * 100, Grouped(p.done).c_str(), Grouped(p.total).c_str(),
                 Grouped(std::llround(p.votes_per_s)).c_str(), Grouped(p.errors).c_str(),
                 Grouped(p.retries).c_str(), eta.c_str());
    if (p.healthy_targets < p.targets) {
      std::fprintf(out_, "  [%d/%d regions healthy]", p.healthy_targets, p.targets);
    }
    std::fflush(out_);
    line_drawn_ = true;
    return;
  }
  last_ = p;
  last_printed_ = false;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_plain_ < plain_every_) return;
  last_plain_ = now;
  PrintPlain(p);
}

void TerminalProgress::PrintPlain(const SimulationProgress& p) {
  const double fraction = p.total > 0 ? static_cast<double>(p.done) / p.total : 1.0;
  const std::string eta = p.eta_s >= 0 ? Duration(p.eta_s) : "?";
  std::fprintf(out_,
               "simulate: %s/%s votes (%.1f%%), %s votes/s, %s errors, %s retries, "
               "%d/%d regions healthy, ETA %s\n",
               Grouped(p.done).c_str(), Grouped(p.total).c_str(), fraction * 100,
               Grouped(std::llround(p.votes_per_s)).c_str(), Grouped(p.errors).c_str(),
               Grouped(p.retries).c_str(), p.healthy_targets, p.targets, eta.c_str());
  std::fflush(out_);
  last_printed_ = true;
}

void TerminalProgress::OnMessage(std::string_view line) {
  ClearLine();
  std::fprintf(out_, "simulate: %.*s\n", static_cast<int>(line.size()), line.data());
  std::fflush(out_);
}

void TerminalProgress::OnCastingDone() {
  if (!tty_ && !last_printed_) PrintPlain(last_);  // always show where casting ended
  if (tty_ && line_drawn_) {
    std::fputc('\n', out_);
    line_drawn_ = false;
  }
  std::fflush(out_);
}

// ---- the report ----

LatencySummary Summarize(const LatencyHistogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.p50_ms = Ms(h.ValueAtQuantile(0.50));
  s.p90_ms = Ms(h.ValueAtQuantile(0.90));
  s.p99_ms = Ms(h.ValueAtQuantile(0.99));
  s.p999_ms = Ms(h.ValueAtQuantile(0.999));
  s.max_ms = Ms(h.max());
  s.mean_ms = h.mean() / 1000.0;
  return s;
}

std::string RenderReportJson(const SimulationReport& r) {
  ordered_json targets = ordered_json::array();
  for (const auto& t : r.per_target) {
    targets.push_back({{"url", t.url},
                       {"requests", t.requests},
                       {"counted", t.counted},
                       {"connection_errors", t.connection_errors},
                       {"by_status", StatusJson(t.by_status)},
                       {"healthy_at_end", t.healthy_at_end},
                       {"probe_latency_ms", t.probe_latency_ms}});
  }
  ordered_json verification = ordered_json::array();
  for (const auto& v : r.verification) {
    verification.push_back({{"target", v.target},
                            {"ok", v.ok},
                            {"reachable", v.reachable},
                            {"skipped", v.skipped},
                            {"before_total", v.before_total},
                            {"after_total", v.after_total},
                            {"expected_delta", v.expected_delta},
                            {"settle_s", v.settle_s},
                            {"mismatches", v.mismatches},
                            {"error", v.error}});
  }
  ordered_json deviations = ordered_json::array();
  for (const auto& d : r.split.deviations) {
    deviations.push_back({{"state", d.state},
                          {"candidate", d.candidate},
                          {"n", d.n},
                          {"count", d.count},
                          {"expected_share", d.expected_share},
                          {"observed_share", d.observed_share},
                          {"z", std::isfinite(d.z) ? ordered_json(d.z) : ordered_json("inf")}});
  }
  ordered_json by_state = ordered_json::object();
  const auto& states = Results2016();
  for (size_t j = 0; j < r.counted_by_state.size() && j < states.size(); ++j) {
    ordered_json row = ordered_json::object();
    int64_t n = 0;
    for (size_t c = 0; c < kCandidateCount; ++c) {
      row[std::string(kCandidates2016[c])] = r.counted_by_state[j][c];
      n += r.counted_by_state[j][c];
    }
    if (n > 0) by_state[states[j].code] = std::move(row);
  }
  ordered_json failed_by = ordered_json::object();
  for (const auto& [reason, n] : r.failed_by_reason) failed_by[reason] = n;
  ordered_json j = {
      {"ok", r.ok()},
      {"problems", r.problems},
      {"notes", r.notes},
      {"started_at", r.started_at},
      {"targets", r.targets},
      {"seed", r.seed},
      {"concurrency", r.concurrency},
      {"rate", r.rate},
      {"threads", r.threads},
      {"voters", r.voters},
      {"duration_s", r.duration_s},
      {"total_duration_s", r.total_duration_s},
      {"sent", r.sent},
      {"counted", r.counted},
      {"failed", r.failed},
      {"already_voted", r.already_voted},
      {"already_voted_on_retry", r.already_voted_on_retry},
      {"not_attempted", r.not_attempted},
      {"retries", r.retries},
      {"connection_errors", r.connection_errors},
      {"timeouts", r.timeouts},
      {"failovers", r.failovers},
      {"by_status", StatusJson(r.by_status)},
      {"failed_by_reason", std::move(failed_by)},
      {"votes_per_s", r.votes_per_s},
      {"latency", LatencyJson(Summarize(r.vote_latency))},
      {"request_latency", LatencyJson(Summarize(r.request_latency))},
      {"per_target", std::move(targets)},
      {"counted_by_state", std::move(by_state)},
      {"verification",
       {{"performed", r.verified},
        {"targets", std::move(verification)},
        {"split",
         {{"ok", r.split.ok()},
          {"states_checked", r.split.states_checked},
          {"max_abs_z", std::isfinite(r.split.max_abs_z) ? ordered_json(r.split.max_abs_z)
                                                         : ordered_json("inf")},
          {"deviations", std::move(deviations)}}}}}};
  return j.dump(2) + "\n";
}

std::string RenderReportTable(const SimulationReport& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  const std::string mode = r.rate > 0 ? Format("open loop at %s votes/s, up to %d in flight",
                                               Grouped(std::llround(r.rate)).c_str(), r.concurrency)
                                      : Format("closed loop, %d in flight", r.concurrency);
  line(Format("Landslide simulation: %s voters, %zu target%s, %s, seed %llu",
              Grouped(r.voters).c_str(), r.targets.size(), r.targets.size() == 1 ? "" : "s",
              mode.c_str(), static_cast<unsigned long long>(r.seed)));
  line(Format("  counted         %12s   in %.2f s = %s votes/s", Grouped(r.counted).c_str(),
              r.duration_s, Grouped(std::llround(r.votes_per_s)).c_str()));
  std::string reasons;
  for (const auto& [why, n] : r.failed_by_reason) {
    reasons += (reasons.empty() ? "" : ", ") + why + ": " + Grouped(n);
  }
  line(Format("  failed          %12s%s", Grouped(r.failed).c_str(),
              reasons.empty() ? "" : ("   (" + reasons + ")").c_str()));
  if (r.already_voted + r.already_voted_on_retry > 0) {
    line(Format("  already voted   %12s   (409 on a retry: %s)", Grouped(r.already_voted).c_str(),
                Grouped(r.already_voted_on_retry).c_str()));
  }
  if (r.not_attempted > 0) line(Format("  not attempted   %12s", Grouped(r.not_attempted).c_str()));
  line(Format(
      "  requests        %12s   retries %s, connection errors %s, timeouts %s, "
      "failovers %s",
      Grouped(r.sent).c_str(), Grouped(r.retries).c_str(), Grouped(r.connection_errors).c_str(),
      Grouped(r.timeouts).c_str(), Grouped(r.failovers).c_str()));
  line("  by status       " + StatusList(r.by_status));
  for (const auto* which : {&r.vote_latency, &r.request_latency}) {
    const LatencySummary s = Summarize(*which);
    line(Format("  %-15s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms",
                which == &r.vote_latency ? "vote latency" : "request latency", s.p50_ms, s.p90_ms,
                s.p99_ms, s.p999_ms, s.max_ms));
  }
  line(Format("  %-32s %12s %12s %10s  %s", "target", "requests", "counted", "errors",
              "healthy at end"));
  for (const auto& t : r.per_target) {
    int64_t errors = t.connection_errors;
    for (const auto& [code, n] : t.by_status) errors += code == 201 ? 0 : n;
    line(Format("  %-32s %12s %12s %10s  %s", t.url.c_str(), Grouped(t.requests).c_str(),
                Grouped(t.counted).c_str(), Grouped(errors).c_str(),
                t.healthy_at_end ? "yes" : "no"));
  }
  if (r.verified) {
    line("Verification (every region's GET /votes against what this run was told was counted)");
    for (const auto& v : r.verification) {
      if (!v.reachable) {
        line(Format("  %-32s %-6s  unreachable: %s", v.target.c_str(),
                    v.skipped ? "skip" : "FAILED", v.error.c_str()));
        continue;
      }
      line(Format("  %-32s %-6s  %s ballots (expected %s), shown after %.1f s", v.target.c_str(),
                  v.ok ? "ok" : "FAILED", Grouped(v.after_total - v.before_total).c_str(),
                  Grouped(v.expected_delta).c_str(), v.settle_s));
      for (const auto& m : v.mismatches) line("      " + m);
    }
    line(Format("  %-32s %-6s  %d states with >= 1000 ballots, max |z| %.2f", "2016 split",
                r.split.ok() ? "ok" : "FAILED", r.split.states_checked, r.split.max_abs_z));
    for (const auto& d : r.split.deviations) {
      line(Format("      %s %s: %.2f%% of %s ballots, 2016: %.2f%% (z = %.1f)", d.state.c_str(),
                  d.candidate.c_str(), d.observed_share * 100, Grouped(d.n).c_str(),
                  d.expected_share * 100, d.z));
    }
  } else {
    line("Verification skipped");
  }
  for (const auto& n : r.notes) line("Note: " + n);
  if (r.ok()) {
    line("Result: OK");
  } else {
    line("Result: FAILED");
    for (const auto& p : r.problems) line("  - " + p);
  }
  return out;
}

}  // namespace landslide::sim
