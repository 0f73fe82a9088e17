// The HTTP/1.1 server (Boost.Beast on Asio): keep-alive connections, a 1 KiB body limit, and
// a clean stop: stop accepting, let in-flight requests finish, then close.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/api.h"

namespace landslide::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int threads = 2;
  int idle_timeout_s = 30;
};

// What the server calls for each request; `respond` may be called later, from any thread.
using Handler = std::function<void(HttpRequest request, Respond respond)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O threads.
  Status Start();
  uint16_t port() const;
  // Closes the listening socket; open connections keep being served.
  void StopAccepting();
  // Stops the I/O threads (after StopAccepting and a drain).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace landslide::http
