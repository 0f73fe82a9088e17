#include "support/region_load.h"

#include <algorithm>
#include <memory>

#include "support/http_client.h"

namespace landslide::testing {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Both are on every state's 2016 ballot.
const char* const kCandidates[] = {"Hillary Clinton", "Donald Trump"};

milliseconds RetryAfter(const Response& r) {
  auto v = r.Header("Retry-After");
  int s = v ? std::atoi(v->c_str()) : 0;
  // Honoured but capped: the test wants to see the gap end, not wait out a generous hint.
  return std::clamp(milliseconds(s * 1000), milliseconds(50), milliseconds(500));
}

}  // namespace

RegionLoad::RegionLoad(std::vector<std::string> regions, std::vector<std::string> voters,
                       RegionLoadOptions options)
    : regions_(std::move(regions)), voters_(std::move(voters)), options_(options) {
  for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this, t] { Run(t); });
}

RegionLoad::~RegionLoad() { Stop(); }

void RegionLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void RegionLoad::Run(int thread_index) {
  while (!stop_) {
    const size_t n = next_.fetch_add(1);
    if (n >= voters_.size()) return;
    CastBallot c = Cast(thread_index, voters_[n], n);
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(c));
    }
    std::this_thread::sleep_for(options_.pause);
  }
}

CastBallot RegionLoad::Cast(int thread_index, const std::string& voter, size_t n) {
  thread_local std::vector<std::unique_ptr<HttpClient>> clients;
  if (clients.empty()) {
    for (const auto& url : regions_)
      clients.push_back(os::ClientForUrl(url, options_.request_timeout));
  }
  CastBallot c;
  c.voter = voter;
  c.candidate = kCandidates[n % 2];
  const std::string key = "region-load-" + voter;
  c.first_sent = SteadyClock::now();
  const auto deadline = c.first_sent + options_.ballot_deadline;
  size_t r = static_cast<size_t>(thread_index) % regions_.size();
  while (SteadyClock::now() < deadline) {
    ++c.attempts;
    Response resp =
        clients[r]->Post("/votes", VoteBody(voter, c.candidate), {{"Idempotency-Key", key}});
    {
      std::lock_guard lock(mu_);
      ++answers_[resp.status];
    }
    if (resp.status == 201) {
      // A sealed election's receipt, or a verifiable one's tracking code.
      c.receipt = resp.json.value("receipt", resp.json.value("tracking_code", ""));
      c.region = resp.json.value("region", "");
      c.answered = SteadyClock::now();
      ++counted_so_far_;
      return c;
    }
    if (resp.status != 503 && resp.status != 429 && resp.status != 0) {
      // With one key per voter and nothing else voting for them, no other answer is correct:
      // a 409 here would mean a second ballot of this voter was counted under another key.
      std::lock_guard lock(mu_);
      violations_.push_back(voter + " (attempt " + std::to_string(c.attempts) + " at region " +
                            regions_[r] + "): " + resp.Describe());
      return c;
    }
    // Like the simulator: move on to the next region; pause once every region has said no.
    const milliseconds wait = resp.status == 0 ? milliseconds(50) : RetryAfter(resp);
    r = (r + 1) % regions_.size();
    if (c.attempts % static_cast<int>(regions_.size()) == 0) std::this_thread::sleep_for(wait);
  }
  return c;
}

LoadOutcome RegionLoad::Outcome() const {
  std::lock_guard lock(mu_);
  LoadOutcome out;
  out.violations = violations_;
  out.answers = answers_;
  for (const CastBallot& c : done_) {
    if (c.receipt.empty()) {
      out.unresolved.push_back(c);
    } else {
      out.counted.push_back(c);
      ++out.counted_by_candidate[c.candidate];
    }
  }
  std::vector<SteadyClock::time_point> times;
  for (const CastBallot& c : out.counted) times.push_back(c.answered);
  std::sort(times.begin(), times.end());
  for (size_t i = 1; i < times.size(); ++i) {
    const double gap = std::chrono::duration<double>(times[i] - times[i - 1]).count();
    if (gap > out.longest_gap_s) {
      out.longest_gap_s = gap;
      out.gap_start = times[i - 1];
    }
  }
  return out;
}

}  // namespace landslide::testing
