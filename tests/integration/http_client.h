// A small synchronous HTTP/1.1 client for integration tests (Boost.Beast). One client is one
// connection, reused while the server keeps it alive (keep-alive), reconnected when it does not.
// Every operation has a deadline, so a server that hangs fails the test instead of hanging it.
// Not thread-safe: give each thread its own client.
//
//   HttpClient c("127.0.0.1", port);
//   Response r = c.Post("/votes", R"({"id": "...", "candidate": "..."})",
//                       {{"Idempotency-Key", "0123456789abcdef"}});
//   EXPECT_EQ(r.status, 201) << r.Describe();
//   std::string receipt = r.json["receipt"];
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace landslide::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  // 0 when no response arrived; `transport_error` says why (refused, reset, timed out...).
  int status = 0;
  std::string transport_error;
  bool timed_out = false;
  Headers headers;
  std::string body;
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
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POST with `Content-Type: application/json` unless `headers` name a Content-Type.
  Response Post(const std::string& path, const std::string& body, const Headers& headers = {});
  Response Get(const std::string& path, const Headers& headers = {});
  // Any method, with exactly the given headers (plus Host, and Content-Length when there is a
  // body or the method is POST).
  Response Request(const std::string& method, const std::string& path, const std::string& body,
                   const Headers& headers);
  // Writes `bytes` as they are on a fresh connection and reads one response, for requests that
  // a well-behaved client cannot produce (malformed HTTP, lying lengths). The connection is
  // closed afterwards.
  Response SendRaw(const std::string& bytes);

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

// Request bodies as the API expects them (properly escaped JSON).
std::string VoteBody(std::string_view id, std::string_view candidate);
std::string BallotBody(std::string_view id);

}  // namespace landslide::testing
