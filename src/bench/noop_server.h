// The bench's no-op baseline: the same Beast server stack as `landslide serve` (http::Server,
// same thread count, keep-alive, body limit), with a handler that answers at once and touches
// nothing else. What the load generator reaches against it is the floor of what HTTP alone
// costs on this machine, so each full-path figure can be read as a fraction of it.
//
//   POST /votes   201 and a body shaped and sized like a real one (success, message, receipt,
//                 region, voted_at); the request body is not even parsed
//   GET /health   200 {"status": "ok", ...}: the load generator probes it
//   GET /votes    200 with an empty, valid result; the bench runs the baseline with
//                 verification off, since nothing is counted
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/api.h"
#include "http/server.h"

namespace landslide::bench {

// The handler alone, for tests: answers `request` through `respond` before returning.
void NoopHandle(const http::HttpRequest& request, const http::Respond& respond);

class NoopServer {
 public:
  // Listens on 127.0.0.1, on a free port.
  static Result<std::unique_ptr<NoopServer>> Start(int threads);
  ~NoopServer();
  NoopServer(const NoopServer&) = delete;
  NoopServer& operator=(const NoopServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"

 private:
  NoopServer() = default;
  std::unique_ptr<http::Server> server_;
};

}  // namespace landslide::bench
