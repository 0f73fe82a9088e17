#include "sim/target_pool.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <set>

#include "common/strings.h"

namespace landslide::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr size_t kMaxTargets = 64;
constexpr size_t kMaxReplyBody = 8 << 20;  // GET /votes is ~20 KB; be generous

int64_t SteadyNanos(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// One GET on its own connection; keeps itself alive through its handlers.
class OneShotGet : public std::enable_shared_from_this<OneShotGet> {
 public:
  using Done = std::function<void(Result<HttpReply>, int64_t)>;
  OneShotGet(asio::io_context& ioc, const Target& target, const std::string& path,
             std::chrono::milliseconds timeout, Done done)
      : stream_(ioc), target_(target), timeout_(timeout), done_(std::move(done)) {
    request_.version(11);
    request_.method(bhttp::verb::get);
    request_.target(path);
    request_.set(bhttp::field::host, target_.host_header);
    request_.set(bhttp::field::user_agent, "landslide-simulate");
    request_.set(bhttp::field::accept, "application/json");
    request_.keep_alive(false);
    parser_.body_limit(kMaxReplyBody);
  }

  void Run() {
    start_ = SteadyClock::now();
    stream_.expires_after(timeout_);
    stream_.async_connect(target_.endpoints,
                          [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                            if (ec) return self->FinishWithError("cannot connect", ec);
                            self->Write();
                          });
  }

 private:
  void Write() {
    bhttp::async_write(stream_, request_,
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->FinishWithError("cannot send the request", ec);
                         self->Read();
                       });
  }

  void Read() {
    bhttp::async_read(stream_, buffer_, parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->FinishWithError("no complete answer", ec);
                        auto& msg = self->parser_.get();
                        HttpReply reply;
                        reply.status = static_cast<int>(msg.result_int());
                        reply.body = std::move(msg.body());
                        if (auto it = msg.find(bhttp::field::retry_after); it != msg.end()) {
                          reply.retry_after = std::string(it->value());
                        }
                        self->Finish(std::move(reply));
                      });
  }

  void FinishWithError(const char* what, beast::error_code ec) {
    Finish(Status::Unavailable(
        target_.url + ": " + what + " (" +
        (ec == beast::error::timeout ? std::string("timed out") : ec.message()) + ")"));
  }

  void Finish(Result<HttpReply> r) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start_).count();
    Done done = std::move(done_);
    done(std::move(r), micros);
  }

  beast::tcp_stream stream_;
  const Target& target_;  // owned by the caller, who outlives the io_context's work
  std::chrono::milliseconds timeout_;
  Done done_;
  SteadyClock::time_point start_;
  bhttp::request<bhttp::empty_body> request_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
};

}  // namespace

Result<Target> ParseTarget(std::string_view url) {
  const std::string shown(url.substr(0, 200));
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("target \"" + shown + "\" must start with http://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('?') != std::string_view::npos) {
    return Status::InvalidArgument("target \"" + shown +
                                   "\" must be http://HOST[:PORT] "
                                   "with no path");
  }
  Target t;
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:7071
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("target \"" + shown + "\" has an unclosed '['");
    }
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Status::InvalidArgument("target \"" + shown + "\" is not http://HOST[:PORT]");
      }
      port = after.substr(1);
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("target \"" + shown + "\" has no host");
  t.host = std::string(host);
  if (!port.empty() || rest.find(':') != std::string_view::npos) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 ||
        p > 65535) {
      return Status::InvalidArgument("target \"" + shown + "\" has a bad port");
    }
    t.port = static_cast<uint16_t>(p);
  }
  t.url = "http://" + std::string(rest);
  t.host_header = std::string(rest);
  return t;
}

Result<std::vector<Target>> ParseTargets(const std::vector<std::string>& urls) {
  std::vector<Target> out;
  std::set<std::string> seen;
  for (const auto& u : urls) {
    if (u.empty()) continue;
    auto t = ParseTarget(u);
    if (!t.ok()) return t.status();
    if (!seen.insert(t->url).second) {
      return Status::InvalidArgument("target " + t->url + " is given twice");
    }
    out.push_back(std::move(*t));
  }
  if (out.empty()) return Status::InvalidArgument("give at least one target URL");
  if (out.size() > kMaxTargets) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxTargets) + " targets");
  }
  return out;
}

Status ResolveTargets(std::vector<Target>& targets) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  for (auto& t : targets) {
    beast::error_code ec;
    auto results = resolver.resolve(t.host, std::to_string(t.port), ec);
    if (ec || results.empty()) {
      return Status::Unavailable("cannot resolve the host of " + t.url + ": " + ec.message());
    }
    t.endpoints.clear();
    for (const auto& r : results) t.endpoints.push_back(r.endpoint());
  }
  return Status::Ok();
}

void AsyncHttpGet(asio::io_context& ioc, const Target& target, const std::string& path,
                  std::chrono::milliseconds timeout,
                  std::function<void(Result<HttpReply>, int64_t)> done) {
  std::make_shared<OneShotGet>(ioc, target, path, timeout, std::move(done))->Run();
}

Result<HttpReply> HttpGet(const Target& target, const std::string& path,
                          std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  Result<HttpReply> out = Status::Unavailable(target.url + ": no answer");
  AsyncHttpGet(ioc, target, path, timeout,
               [&out](Result<HttpReply> r, int64_t) { out = std::move(r); });
  ioc.run();
  return out;
}

// ---- TargetHealth ----

TargetHealth::TargetHealth(std::vector<Target> targets)
    : targets_(std::move(targets)), state_(std::make_unique<State[]>(targets_.size())) {}

int TargetHealth::healthy_count() const {
  int n = 0;
  for (size_t i = 0; i < size(); ++i) n += healthy(i) ? 1 : 0;
  return n;
}

bool TargetHealth::MarkFailed(size_t i) {
  const int64_t now = SteadyNanos(SteadyClock::now());
  if (state_[i].failed_at.exchange(now, std::memory_order_relaxed) != 0) return false;
  failovers_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void TargetHealth::RecordProbe(size_t i, SteadyClock::time_point sent, int status, int64_t micros,
                               const std::string& detail) {
  State& s = state_[i];
  const bool ok = status == 200;
  const bool was = s.healthy.exchange(ok, std::memory_order_relaxed);
  const bool first = !s.probed.exchange(true, std::memory_order_relaxed);
  if (ok) {
    // Smooth the latency so that one slow probe does not move every connection.
    const int64_t old = s.latency_us.load(std::memory_order_relaxed);
    s.latency_us.store(first || old == 0 ? micros : (old * 7 + micros * 3) / 10,
                       std::memory_order_relaxed);
    // Healthy again: a failure seen before this probe was sent is forgiven.
    int64_t failed = s.failed_at.load(std::memory_order_relaxed);
    if (failed != 0 && failed < SteadyNanos(sent)) {
      s.failed_at.compare_exchange_strong(failed, 0, std::memory_order_relaxed);
    }
  }
  std::string event;
  if (first && !ok) {
    event = targets_[i].url + " is not healthy (" + detail + ")";
  } else if (!first && was != ok) {
    event = ok ? targets_[i].url + " is healthy again"
               : targets_[i].url + " failed its health check (" + detail + ")";
  }
  if (!event.empty()) {
    std::lock_guard lock(events_mu_);
    if (events_.size() < 1000) events_.push_back(std::move(event));
  }
}

size_t TargetHealth::Choose(size_t slot, size_t shift) const {
  const size_t n = size();
  if (n == 1) return 0;
  std::array<uint8_t, kMaxTargets> pick{};
  size_t count = 0;
  for (int tier = 0; tier < 3 && count == 0; ++tier) {
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < n; ++i) {
      const bool usable = tier == 2 || (healthy(i) && (tier == 1 || !avoided(i)));
      if (usable) best = std::min(best, latency_us(i));
    }
    if (best == INT64_MAX) continue;
    const int64_t band = tier == 2 ? INT64_MAX : std::max(best + best / 4, best + 3000);
    for (size_t i = 0; i < n; ++i) {
      const bool usable = tier == 2 || (healthy(i) && (tier == 1 || !avoided(i)));
      if (usable && latency_us(i) <= band) pick[count++] = static_cast<uint8_t>(i);
    }
  }
  return pick[(slot + shift) % count];
}

std::vector<std::string> TargetHealth::TakeEvents() {
  std::lock_guard lock(events_mu_);
  return std::exchange(events_, {});
}

// ---- HealthProber ----

struct HealthProber::Impl {
  Impl(TargetHealth& h, std::chrono::milliseconds i, std::chrono::milliseconds t)
      : health(h), interval(i), timeout(t), timer(ioc), in_flight(h.size(), false) {}

  void ProbeAll() {
    for (size_t i = 0; i < health.size(); ++i) {
      if (in_flight[i]) continue;  // a hung target is still being waited for
      in_flight[i] = true;
      const auto sent = SteadyClock::now();
      AsyncHttpGet(ioc, health.target(i), "/health", timeout,
                   [this, i, sent](Result<HttpReply> r, int64_t micros) {
                     in_flight[i] = false;
                     std::string detail =
                         r.ok() ? std::to_string(r->status) + ": " + OneLine(r->body, 160)
                                : r.status().message();
                     health.RecordProbe(i, sent, r.ok() ? r->status : 0, micros, detail);
                   });
    }
  }

  void Tick() {
    ProbeAll();
    timer.expires_after(interval);
    timer.async_wait([this](beast::error_code ec) {
      if (!ec) Tick();
    });
  }

  TargetHealth& health;
  const std::chrono::milliseconds interval;
  const std::chrono::milliseconds timeout;
  asio::io_context ioc{1};
  asio::steady_timer timer;
  std::vector<bool> in_flight;  // only touched on the io_context's thread
  std::thread thread;
};

HealthProber::HealthProber(TargetHealth& health, std::chrono::milliseconds interval,
                           std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(health, interval, timeout)) {}

HealthProber::~HealthProber() { Stop(); }

void HealthProber::ProbeAllOnce() {
  impl_->ioc.restart();
  impl_->ProbeAll();
  impl_->ioc.run();
}

void HealthProber::Start() {
  if (impl_->thread.joinable()) return;
  impl_->ioc.restart();
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->Tick(); });
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

void HealthProber::Stop() {
  if (!impl_->thread.joinable()) return;
  // Outstanding probes are abandoned: their handlers are destroyed with the io_context.
  impl_->ioc.stop();
  impl_->thread.join();
}

}  // namespace landslide::sim
