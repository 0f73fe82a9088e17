// A tiny blocking HTTP/1.1 client for health checks: `landslide up` waits for each region's
// `GET /health` to answer 200 before it declares the cluster up. Plain sockets, no Asio: one
// request per connection, `Connection: close`, read to the end.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/status.h"

namespace landslide::cluster {

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked
};

// GET `path` from host:port (host: a name or address). kUnavailable if nothing answers or the
// answer is not HTTP within `timeout`.
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

}  // namespace landslide::cluster
