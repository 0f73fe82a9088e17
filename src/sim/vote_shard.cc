#include "sim/vote_shard.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <random>

#include "common/beast.h"
#include "domain/results_2016.h"

namespace landslide::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxResponseBody = size_t{64} * 1024;

int64_t Micros(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

class ShardEngine;

namespace {

// One keep-alive connection and the one vote it is casting. All its handlers run on its
// shard's single thread, so it needs no locks; it owns no pending operation once it stops.
class Worker {
 public:
  Worker(ShardEngine& shard, size_t slot);
  void Start() { NextVote(); }
  // Casts vote `index` of the plan, due at `due`.
  void Begin(int64_t index, SteadyClock::time_point due);
  void Close();

 private:
  struct Job {
    int64_t index = -1;
    SteadyClock::time_point due;  // when the vote was meant to be sent; latency starts here
    char key[32];                 // Idempotency-Key, the same for every attempt
    int attempts = 0;
    int failovers = 0;  // moves to another target; shifts Choose() to the next one
    bool stale_retry_used = false;
    // An earlier attempt may have been recorded: it was sent and then the connection failed or
    // timed out, or it got a 5xx other than 503 (a 503 promises nothing was recorded).
    bool maybe_recorded = false;
    int last_status = 0;  // 0: connection error
  };

  void NextVote();
  void Attempt();
  void Connect();
  void Send();
  void OnResponse(beast::error_code ec);
  void OnTransportError(beast::error_code ec, bool request_sent);
  void Retry(std::chrono::milliseconds delay);
  void Counted(SteadyClock::time_point now);
  void Finish();
  void GiveUp(const std::string& reason);
  std::chrono::milliseconds RetryAfter(const bhttp::response<bhttp::string_body>& msg) const;
  bool OtherTargetAvailable() const;

  ShardEngine& shard_;
  RunState& run_;
  ShardStats& stats_;
  const size_t slot_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  std::string body_;  // reused: no allocation per vote once warm
  std::string request_;
  bool connected_ = false;
  size_t target_ = 0;
  int requests_on_connection_ = 0;
  SteadyClock::time_point attempt_start_;
  Job job_;
};

}  // namespace

// A thread's share of the connections, with its own io_context and stats.
class ShardEngine {
 public:
  ShardEngine(RunState& run, size_t first_slot, int connections) : run(run) {
    stats.per_target.resize(run.health.size());
    stats.counted_by_state.resize(Results2016().size());
    std::random_device rd;
    jitter.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
    for (int i = 0; i < connections; ++i) {
      workers.push_back(std::make_unique<Worker>(*this, first_slot + static_cast<size_t>(i)));
    }
  }

  // Runs until every worker has stopped. Handlers are not meant to throw; if one does (out of
  // memory), the shard stops and says why instead of letting it cross threads.
  void Run() {
    try {
      for (auto& w : workers) asio::post(ioc, [w = w.get()] { w->Start(); });
      ioc.run();
    } catch (const std::exception& e) {
      error = std::string("a client thread stopped: ") + e.what();
    }
  }

  // Open loop: `w` has nothing to do; it gets the next vote once that is due.
  void Idle(Worker* w) {
    idle_.push_back(w);
    Pace();
  }

  // Cryptographically random bytes, drawn from the kernel a few KiB at a time rather than with
  // a system call per vote.
  void RandomBytes(uint8_t* out, size_t n) {
    if (random_used_ + n > random_.size()) {
      randombytes_buf(random_.data(), random_.size());
      random_used_ = 0;
    }
    std::memcpy(out, random_.data() + random_used_, n);
    random_used_ += n;
  }

  // Spreads retries so that connections refused together do not come back together.
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d) {
    if (d.count() <= 1) return d;
    const auto spread = static_cast<uint64_t>(d.count() / 5 + 1);
    return d - std::chrono::milliseconds(d.count() / 10) +
           std::chrono::milliseconds(static_cast<int64_t>(jitter() % spread));
  }

  RunState& run;
  asio::io_context ioc{1};
  ShardStats stats;
  std::mt19937_64 jitter;
  std::vector<std::unique_ptr<Worker>> workers;  // after ioc: destroyed before it
  std::string error;

 private:
  // Open loop: hands every vote that is due to an idle worker, then sleeps until the next one
  // is due. One timer per shard, firing at most every kMinPacerTick, instead of one timer per
  // vote: at tens of thousands of votes/s the per-vote wake-ups would cost more CPU than the
  // requests. Lateness is not hidden: latency counts from each vote's due time.
  void Pace();
  static constexpr auto kMinPacerTick = std::chrono::microseconds(250);
  std::vector<Worker*> idle_;
  std::array<uint8_t, 4096> random_{};
  size_t random_used_ = random_.size();
  asio::steady_timer pacer_{ioc};
  bool pacer_armed_ = false;
};

Worker::Worker(ShardEngine& shard, size_t slot)
    : shard_(shard),
      run_(shard.run),
      stats_(shard.stats),
      slot_(slot),
      stream_(shard.ioc),
      timer_(shard.ioc) {
  body_.reserve(128);
  request_.reserve(512);
}

void Worker::NextVote() {
  if (run_.interval_ns > 0) return shard_.Idle(this);
  const auto now = SteadyClock::now();
  if (run_.Stopping(now)) return Close();
  const int64_t index = run_.next.fetch_add(1, std::memory_order_relaxed);
  if (index >= static_cast<int64_t>(run_.plan.size())) return Close();
  Begin(index, now);
}

void Worker::Begin(int64_t index, SteadyClock::time_point due) {
  job_ = Job{};
  job_.index = index;
  job_.due = due;
  // 128 random bits, fresh for every run (never from the seed: the same seed must not replay
  // an earlier run's ballots as idempotent retries).
  uint8_t raw[16];
  shard_.RandomBytes(raw, sizeof raw);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < sizeof raw; ++i) {
    job_.key[2 * i] = kHex[raw[i] >> 4];
    job_.key[2 * i + 1] = kHex[raw[i] & 15];
  }
  Attempt();
}

void ShardEngine::Pace() {
  const auto total = static_cast<int64_t>(run.plan.size());
  const auto now = SteadyClock::now();
  SteadyClock::time_point next_due;
  while (true) {
    int64_t index = run.next.load(std::memory_order_relaxed);
    next_due = run.start + std::chrono::nanoseconds(
                               static_cast<int64_t>(static_cast<double>(index) * run.interval_ns));
    if (index >= total || next_due > run.deadline || run.Stopping(now)) {
      // Nothing more will come: the idle workers are done.
      for (Worker* w : idle_) w->Close();
      idle_.clear();
      return;
    }
    if (idle_.empty() || next_due > now) break;
    // Another shard may take the same vote; whoever swaps first has it.
    if (!run.next.compare_exchange_weak(index, index + 1, std::memory_order_relaxed)) continue;
    Worker* w = idle_.back();
    idle_.pop_back();
    w->Begin(index, next_due);
  }
  if (idle_.empty() || pacer_armed_) return;
  pacer_armed_ = true;
  pacer_.expires_at(std::max(next_due, now + kMinPacerTick));
  pacer_.async_wait([this](beast::error_code) {
    pacer_armed_ = false;
    Pace();
  });
}

void Worker::Attempt() {
  ++job_.attempts;
  const size_t t = run_.health.Choose(slot_, static_cast<size_t>(job_.failovers));
  if (connected_ && t != target_) Close();
  target_ = t;
  if (!connected_) return Connect();
  Send();
}

void Worker::Connect() {
  stream_.expires_after(run_.options.connect_timeout);
  stream_.async_connect(run_.health.target(target_).endpoints,
                        [this](beast::error_code ec, const tcp::endpoint&) {
                          if (ec) return OnTransportError(ec, false);
                          connected_ = true;
                          requests_on_connection_ = 0;
                          beast::error_code ignored;
                          stream_.socket().set_option(tcp::no_delay(true), ignored);
                          Send();
                        });
}

void Worker::Send() {
  const auto* prebuilt = run_.options.ballot_bodies;
  const std::string* body = &body_;
  if (prebuilt) {
    body = &(*prebuilt)[static_cast<size_t>(job_.index)];
  } else {
    const std::string_view id = run_.plan.id(static_cast<size_t>(job_.index));
    const std::string_view candidate =
        kCandidates2016[run_.plan.candidate(static_cast<size_t>(job_.index))];
    // Ids are validated base58 and candidate names are plain, so the JSON needs no escaping.
    body_.clear();
    body_.append("{\"id\": \"").append(id).append("\", \"candidate\": \"").append(candidate);
    body_.append("\"}");
  }
  char length[24];
  auto [end, ec] = std::to_chars(length, length + sizeof length, body->size());
  request_.clear();
  request_.append(prebuilt ? "POST /ballots HTTP/1.1\r\nHost: " : "POST /votes HTTP/1.1\r\nHost: ");
  request_.append(run_.health.target(target_).host_header);
  request_.append("\r\nContent-Type: application/json");
  if (!prebuilt) request_.append("\r\nIdempotency-Key: ").append(job_.key, sizeof job_.key);
  request_.append("\r\nContent-Length: ");
  request_.append(length, end);
  request_.append("\r\n\r\n");
  request_.append(*body);
  attempt_start_ = SteadyClock::now();
  ++stats_.sent;
  ++stats_.per_target[target_].requests;
  stream_.expires_after(run_.options.request_timeout);
  asio::async_write(stream_, asio::buffer(request_), [this](beast::error_code ec, size_t) {
    if (ec) return OnTransportError(ec, true);
    parser_.emplace();
    parser_->body_limit(kMaxResponseBody);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [this](beast::error_code ec, size_t) { OnResponse(ec); });
  });
}

void Worker::OnResponse(beast::error_code ec) {
  if (ec) return OnTransportError(ec, true);
  stream_.expires_never();
  ++requests_on_connection_;
  const auto now = SteadyClock::now();
  stats_.request_latency.Record(Micros(now - attempt_start_));
  const auto& msg = parser_->get();
  const int status = std::clamp(static_cast<int>(msg.result_int()), 0, kStatusSlots - 1);
  ++stats_.by_status[status];
  ++stats_.per_target[target_].by_status[status];
  job_.last_status = status;
  const auto retry_after = RetryAfter(msg);
  if (!msg.keep_alive()) Close();
  if (status == 201) return Counted(now);
  run_.errors.fetch_add(1, std::memory_order_relaxed);
  if (status == 409) {
    // With our key a retry of a counted ballot answers 201, so a 409 means the voter had a
    // ballot counted without it: before this run, or, if an earlier attempt of ours may have
    // been recorded, through a broken idempotency check.
    ++(job_.maybe_recorded ? stats_.already_voted_on_retry : stats_.already_voted);
    return Finish();
  }
  if (status == 429) return Retry(retry_after);  // per client: another region will not help
  if (status >= 500) {
    // Nothing was recorded (503) or we cannot know (other 5xx; the key makes a retry safe).
    if (status != 503) job_.maybe_recorded = true;
    run_.health.MarkFailed(target_);
    ++job_.failovers;
    return Retry(OtherTargetAvailable() ? std::chrono::milliseconds(0) : retry_after);
  }
  GiveUp(std::to_string(status));
}

void Worker::OnTransportError(beast::error_code ec, bool request_sent) {
  const bool reused = requests_on_connection_ > 0;
  Close();
  if (request_sent) job_.maybe_recorded = true;
  ++stats_.connection_errors;
  ++stats_.per_target[target_].connection_errors;
  if (ec == beast::error::timeout) ++stats_.timeouts;
  run_.errors.fetch_add(1, std::memory_order_relaxed);
  // The server may close an idle keep-alive connection just as we reuse it: retry once at
  // once on a new connection, without blaming the target or using up an attempt.
  if (request_sent && reused && !job_.stale_retry_used && ec != beast::error::timeout) {
    job_.stale_retry_used = true;
    --job_.attempts;
    return Retry(std::chrono::milliseconds(0));
  }
  job_.last_status = 0;
  run_.health.MarkFailed(target_);
  ++job_.failovers;
  if (OtherTargetAvailable()) return Retry(std::chrono::milliseconds(0));
  // Nowhere else to go: back off exponentially, from 50 ms to the Retry-After cap.
  const int doublings = std::min(job_.failovers - 1, 8);
  Retry(std::min(run_.options.max_retry_after, std::chrono::milliseconds(50 << doublings)));
}

bool Worker::OtherTargetAvailable() const {
  const size_t next = run_.health.Choose(slot_, static_cast<size_t>(job_.failovers));
  return next != target_ && run_.health.healthy(next) && !run_.health.avoided(next);
}

std::chrono::milliseconds Worker::RetryAfter(const bhttp::response<bhttp::string_body>& msg) const {
  int seconds = 1;
  if (auto it = msg.find(bhttp::field::retry_after); it != msg.end()) {
    const auto v = it->value();
    int parsed = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
    if (ec == std::errc() && p == v.data() + v.size() && parsed >= 0) seconds = parsed;
  }
  return std::min(run_.options.max_retry_after, std::chrono::milliseconds(seconds * 1000));
}

void Worker::Retry(std::chrono::milliseconds delay) {
  if (job_.attempts >= run_.options.max_attempts) {
    return GiveUp("gave up after " + std::to_string(job_.attempts) + " attempts (last: " +
                  (job_.last_status == 0 ? std::string("connection error")
                                         : std::to_string(job_.last_status)) +
                  ")");
  }
  ++stats_.retries;
  run_.retries.fetch_add(1, std::memory_order_relaxed);
  if (delay.count() <= 0) {
    asio::post(shard_.ioc, [this] { Attempt(); });
    return;
  }
  timer_.expires_after(shard_.Jittered(delay));
  timer_.async_wait([this](beast::error_code) { Attempt(); });
}

void Worker::Counted(SteadyClock::time_point now) {
  const auto i = static_cast<size_t>(job_.index);
  ++stats_.counted;
  ++stats_.per_target[target_].counted;
  ++stats_.counted_by_state[run_.plan.state(i)][run_.plan.candidate(i)];
  stats_.vote_latency.Record(Micros(now - job_.due));
  run_.counted.fetch_add(1, std::memory_order_relaxed);
  Finish();
}

void Worker::GiveUp(const std::string& reason) {
  ++stats_.failed;
  ++stats_.failed_by_reason[reason];
  run_.failed.fetch_add(1, std::memory_order_relaxed);
  Finish();
}

void Worker::Finish() {
  run_.done.fetch_add(1, std::memory_order_relaxed);
  NextVote();
}

void Worker::Close() {
  if (connected_ || stream_.socket().is_open()) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  connected_ = false;
  requests_on_connection_ = 0;
  buffer_.consume(buffer_.size());
}

Shard::Shard(RunState& run, size_t first_slot, int connections)
    : engine_(std::make_unique<ShardEngine>(run, first_slot, connections)) {}
Shard::~Shard() = default;
void Shard::Run() { engine_->Run(); }
const ShardStats& Shard::stats() const { return engine_->stats; }
const std::string& Shard::error() const { return engine_->error; }

}  // namespace landslide::sim
