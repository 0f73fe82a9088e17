#include "http_client.h"

// Boost 1.74 with g++ 12 in C++20 mode: <utility> must come before any Asio header.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <sstream>
#include <utility>

namespace landslide::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Status, headers and body of `res` into `out` (the body is moved out of `res`).
void Fill(bhttp::response<bhttp::string_body>& res, Response& out) {
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  out.body = std::move(res.body());
  out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Errors that mean "the server closed a kept-alive connection before we used it again": the
// request never reached a handler, so sending it again on a new connection is safe.
bool StaleConnection(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

std::string Response::Describe() const {
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
  auto address = asio::ip::make_address(host_, ec);
  if (ec) {
    if (error) *error = "bad address " + host_;
    return false;
  }
  impl_->buffer.clear();
  impl_->stream.expires_after(timeout_);
  ec = asio::error::would_block;
  impl_->stream.async_connect(tcp::endpoint(address, port_),
                              [&ec](beast::error_code e) { ec = e; });
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

Response HttpClient::Post(const std::string& path, const std::string& body,
                          const Headers& headers) {
  Headers all = headers;
  bool has_type = false;
  for (const auto& [k, v] : headers) has_type |= EqualsIgnoreCase(k, "Content-Type");
  if (!has_type) all.emplace_back("Content-Type", "application/json");
  return Request("POST", path, body, all);
}

Response HttpClient::Get(const std::string& path, const Headers& headers) {
  return Request("GET", path, "", headers);
}

Response HttpClient::Request(const std::string& method, const std::string& path,
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
    Response out;
    const bool reused = impl_->connected;
    if (!Connect(&out.transport_error)) return out;

    beast::error_code ec = asio::error::would_block;
    impl_->stream.expires_after(timeout_);
    bhttp::async_write(impl_->stream, req, [&ec](beast::error_code e, size_t) { ec = e; });
    impl_->RunAll();
    bool got_header = false;
    if (!ec) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
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
    out.transport_error = method + " " + path + ": " + ec.message();
    return out;
  }
  Response out;
  out.transport_error = method + " " + path + ": the server closed the connection twice";
  return out;
}

Response HttpClient::SendRaw(const std::string& bytes) {
  Close();
  Response out;
  if (!Connect(&out.transport_error)) return out;
  beast::error_code ec = asio::error::would_block;
  impl_->stream.expires_after(timeout_);
  asio::async_write(impl_->stream, asio::buffer(bytes),
                    [&ec](beast::error_code e, size_t) { ec = e; });
  impl_->RunAll();
  // A server may answer and hang up before reading everything we sent; the answer may still
  // be waiting for us, so read even after a failed write.
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
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

std::string VoteBody(std::string_view id, std::string_view candidate) {
  return nlohmann::json{{"id", id}, {"candidate", candidate}}.dump();
}

std::string BallotBody(std::string_view id) { return nlohmann::json{{"id", id}}.dump(); }

}  // namespace landslide::testing
