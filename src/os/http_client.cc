#include "os/http_client.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include "common/beast.h"
#include "common/strings.h"
#include "common/time.h"
#include "os/endpoint.h"

namespace landslide::os {

namespace {

constexpr uint64_t kMaxBody = uint64_t{64} * 1024 * 1024;

// Status, headers and body of `res` into `out` (the body is moved out of `res`).
void Fill(bhttp::response<bhttp::string_body>& res, HttpResponse& out) {
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  out.body = std::move(res.body());
  out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Errors that mean "the server closed a kept-alive connection before we used it again": the
// request never reached a handler, so sending it again on a new connection is safe.
bool StaleConnection(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

std::string HttpResponse::Describe() const {
  std::ostringstream out;
  if (!answered()) {
    out << "no response: " << transport_error;
    return out.str();
  }
  out << "HTTP " << status;
  for (const auto& [k, v] : headers) out << "\n" << k << ": " << v;
  out << "\n\n" << (body.size() > 2000 ? body.substr(0, 2000) + "..." : body);
  return out.str();
}

struct HttpClient::Impl {
  Impl() : stream(ioc) {}

  // Runs the queued asynchronous operation to completion on this thread. The stream's own
  // deadline (expires_after) turns a silent server into beast::error::timeout.
  void RunAll() {
    ioc.restart();
    ioc.run();
  }

  asio::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool connected = false;
};

HttpClient::HttpClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (!impl_->connected) return;
  beast::error_code ec;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  impl_->stream.close();
  impl_->buffer.clear();
  impl_->connected = false;
}

bool HttpClient::Connect(std::string* error) {
  if (impl_->connected) return true;
  beast::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (auto address = asio::ip::make_address(host_, ec); !ec) {
    endpoints.emplace_back(address, port_);
  } else {
    tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec || results.empty()) {
      if (error) *error = "cannot resolve " + host_ + ": " + ec.message();
      return false;
    }
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  impl_->buffer.clear();
  impl_->stream.expires_after(timeout_);
  ec = asio::error::would_block;
  impl_->stream.async_connect(endpoints,
                              [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
  impl_->RunAll();
  if (ec) {
    if (error) *error = "connect to " + host_ + ":" + std::to_string(port_) + ": " + ec.message();
    impl_->stream.close();
    return false;
  }
  impl_->stream.socket().set_option(tcp::no_delay(true), ec);
  impl_->connected = true;
  return true;
}

HttpResponse HttpClient::Post(const std::string& path, const std::string& body,
                              const Headers& headers) {
  Headers all = headers;
  bool has_type = false;
  for (const auto& [k, v] : headers) has_type |= EqualsIgnoreCase(k, "Content-Type");
  if (!has_type) all.emplace_back("Content-Type", "application/json");
  return Request("POST", path, body, all);
}

HttpResponse HttpClient::Get(const std::string& path, const Headers& headers) {
  return Request("GET", path, "", headers);
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& path,
                                 const std::string& body, const Headers& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(path);
  req.version(11);
  req.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
  for (const auto& [k, v] : headers) req.insert(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.content_length(body.size());
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpResponse out;
    const bool reused = impl_->connected;
    if (!Connect(&out.transport_error)) return out;

    beast::error_code ec = asio::error::would_block;
    impl_->stream.expires_after(timeout_);
    bhttp::async_write(impl_->stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    impl_->RunAll();
    bool got_header = false;
    if (!ec) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxBody);
      if (method == "HEAD") parser.skip(true);
      ec = asio::error::would_block;
      impl_->stream.expires_after(timeout_);
      bhttp::async_read(impl_->stream, impl_->buffer, parser,
                        [&ec](beast::error_code e, size_t) { ec = e; });
      impl_->RunAll();
      got_header = parser.is_header_done();
      if (!ec) {
        auto res = parser.release();
        Fill(res, out);
        if (!res.keep_alive()) Close();
        return out;
      }
    }
    Close();
    if (reused && !got_header && StaleConnection(ec)) continue;  // the server had hung up
    out.timed_out = ec == beast::error::timeout;
    out.transport_error =
        std::string(method).append(" ").append(path).append(": ").append(ec.message());
    return out;
  }
  HttpResponse out;
  out.transport_error = method + " " + path + ": the server closed the connection twice";
  return out;
}

HttpResponse HttpClient::SendRaw(const std::string& bytes) {
  Close();
  HttpResponse out;
  if (!Connect(&out.transport_error)) return out;
  beast::error_code ec = asio::error::would_block;
  impl_->stream.expires_after(timeout_);
  asio::async_write(impl_->stream, asio::buffer(bytes),
                    [&ec](beast::error_code e, size_t) { ec = e; });
  impl_->RunAll();
  // A server may answer and hang up before reading everything we sent; the answer may still
  // be waiting for us, so read even after a failed write.
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxBody);
  beast::error_code read_ec = asio::error::would_block;
  impl_->stream.expires_after(timeout_);
  bhttp::async_read(impl_->stream, impl_->buffer, parser,
                    [&read_ec](beast::error_code e, size_t) { read_ec = e; });
  impl_->RunAll();
  if (!read_ec) {
    auto res = parser.release();
    Fill(res, out);
  } else {
    out.timed_out = read_ec == beast::error::timeout;
    out.transport_error = "raw request: " + (ec ? "write: " + ec.message() + "; " : std::string()) +
                          "read: " + read_ec.message();
  }
  Close();
  return out;
}

std::unique_ptr<HttpClient> ClientForUrl(std::string_view url, std::chrono::milliseconds timeout) {
  auto hp = HostPortOfUrl(url);
  if (!hp) return nullptr;
  return std::make_unique<HttpClient>(hp->first, hp->second, timeout);
}

Result<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path,
                             std::chrono::milliseconds timeout) {
  HttpClient client(host, static_cast<uint16_t>(port), timeout);
  HttpResponse r = client.Request(
      "GET", path, "",
      {{"User-Agent", "landslide-probe"}, {"Accept", "*/*"}, {"Connection", "close"}});
  if (!r.answered()) return Status::Unavailable(r.transport_error);
  return r;
}

bool AcceptsConnections(const std::string& host, int port, std::chrono::milliseconds timeout) {
  HttpClient client(host, static_cast<uint16_t>(port), timeout);
  return client.Connect();
}

Status WaitForHttpOk(const HealthWait& wait) {
  const auto start = SteadyClock::now();
  const auto deadline = start + wait.timeout;
  auto next_progress = start + wait.progress_every;
  std::string last;
  while (true) {
    auto attempt = HttpGet(wait.host, wait.port, wait.path, std::chrono::milliseconds(2000));
    if (attempt.ok() && attempt->status == 200) return Status::Ok();
    if (attempt.ok()) {
      std::string body = OneLine(attempt->body, 200);
      last = std::to_string(attempt->status) + (body.empty() ? "" : ": " + body);
    } else {
      last = attempt.status().message();
    }
    if (wait.keep_going) LANDSLIDE_RETURN_IF_ERROR(wait.keep_going());
    auto now = SteadyClock::now();
    if (now >= deadline) {
      return Status::Unavailable("http://" + wait.host + ":" + std::to_string(wait.port) +
                                 wait.path + " did not answer 200 within " +
                                 std::to_string(wait.timeout.count() / 1000) + " s (last: " + last +
                                 ")");
    }
    if (wait.progress && now >= next_progress) {
      wait.progress(std::chrono::duration_cast<std::chrono::seconds>(now - start), last);
      next_progress = now + wait.progress_every;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(wait.interval, left + std::chrono::milliseconds(1)));
  }
}

}  // namespace landslide::os
