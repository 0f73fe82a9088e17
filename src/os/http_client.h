// The one synchronous HTTP/1.1 client (Boost.Beast): health probes of `landslide up`, `demo`,
// `bench` and `audit`, and every test that talks to a server. One client is one connection,
// reused while the server keeps it alive (keep-alive), reconnected when it does not. Every
// operation has a deadline, so a server that hangs fails the caller instead of hanging it.
// Not thread-safe: give each thread its own client. (The load generator, which keeps thousands
// of requests in flight, has its own asynchronous client in src/sim.)
//
//   HttpClient c("127.0.0.1", port);
//   HttpResponse r = c.Post("/votes", R"({"id": "...", "candidate": "..."})",
//                           {{"Idempotency-Key", "0123456789abcdef"}});
//   if (r.status == 201) std::string receipt = r.json["receipt"];
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace landslide::os {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  // 0 when no response arrived; `transport_error` says why (refused, reset, timed out...).
  int status = 0;
  std::string transport_error;
  bool timed_out = false;
  Headers headers;
  std::string body;  // de-chunked
  // The body parsed as JSON; discarded (is_discarded()) when the body is not JSON.
  nlohmann::json json = nlohmann::json(nlohmann::json::value_t::discarded);

  bool answered() const { return status != 0; }
  // The first header of that name (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
  // Status, headers and body (or the transport error), for assertion messages.
  std::string Describe() const;
};

class HttpClient {
 public:
  // `host`: an address, or a name to resolve.
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POST with `Content-Type: application/json` unless `headers` name a Content-Type.
  HttpResponse Post(const std::string& path, const std::string& body, const Headers& headers = {});
  HttpResponse Get(const std::string& path, const Headers& headers = {});
  // Any method, with exactly the given headers (plus Host, and Content-Length when there is a
  // body or the method is POST).
  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body,
                       const Headers& headers);
  // Writes `bytes` as they are on a fresh connection and reads one response, for requests that
  // a well-behaved client cannot produce (malformed HTTP, lying lengths). The connection is
  // closed afterwards.
  HttpResponse SendRaw(const std::string& bytes);

  // Opens the connection now (e.g. before a barrier, so that all requests go out together).
  bool Connect(std::string* error = nullptr);
  void Close();

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::string host_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Impl> impl_;
};

// A client for "http://HOST:PORT[/]"; nullptr when the URL has no host and port.
std::unique_ptr<HttpClient> ClientForUrl(
    std::string_view url, std::chrono::milliseconds timeout = std::chrono::seconds(15));

// One GET on a connection of its own (`Connection: close`). kUnavailable if nothing answers or
// the answer is not HTTP within `timeout`.
Result<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path,
                             std::chrono::milliseconds timeout);

// True if something accepts a TCP connection on host:port within `timeout`: for a port in
// another network namespace, where PortIsFree (which binds) cannot look.
bool AcceptsConnections(const std::string& host, int port, std::chrono::milliseconds timeout);

struct HealthWait {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/health";
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds interval{250};
  // Called between attempts; a non-OK status ends the wait with that status (e.g. the server
  // process died, or the user pressed Ctrl-C).
  std::function<Status()> keep_going;
  // Called about every `progress_every` with the time waited so far and the latest answer
  // ("503: {...}" or "connection refused").
  std::function<void(std::chrono::seconds waited, const std::string& last)> progress;
  std::chrono::milliseconds progress_every{5000};
};

// Polls until GET answers 200. kUnavailable after the timeout, naming the last answer.
Status WaitForHttpOk(const HealthWait& wait);

}  // namespace landslide::os
