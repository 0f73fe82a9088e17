#include "os/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "os/ports.h"

namespace landslide::os {
namespace {

using std::chrono::milliseconds;

// Answers each connection with the next canned response, then closes it.
class CannedServer {
 public:
  explicit CannedServer(std::vector<std::string> responses) : responses_(std::move(responses)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] {
      for (const auto& r : responses_) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        std::string req;
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        last_request_ = req;
        send(c, r.data(), r.size(), MSG_NOSIGNAL);
        close(c);
        ++served_;
      }
    });
  }
  ~CannedServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int served() const { return served_; }
  std::string last_request_;

 private:
  std::vector<std::string> responses_;
  int fd_;
  int port_;
  std::atomic<int> served_{0};
  std::thread thread_;
};

TEST(HttpProbe, ReadsStatusAndBody) {
  CannedServer s({"HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}",
                  "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "4\r\nnot \r\n5\r\nready\r\n0\r\n\r\n"});
  auto r = HttpGet("127.0.0.1", s.port(), "/health", milliseconds(2000));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"status\":\"ok\"}");
  r = HttpGet("127.0.0.1", s.port(), "/health", milliseconds(2000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "not ready");
}

TEST(HttpProbe, NothingListeningIsUnavailable) {
  auto port = FindFreePort();
  ASSERT_TRUE(port.ok());
  auto r = HttpGet("127.0.0.1", *port, "/health", milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
}

TEST(HttpProbe, WaitsUntilHealthy) {
  CannedServer s({"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                  "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"});
  HealthWait w;
  w.port = s.port();
  w.interval = milliseconds(10);
  w.timeout = milliseconds(5000);
  EXPECT_TRUE(WaitForHttpOk(w).ok());
  EXPECT_EQ(s.served(), 3);
  EXPECT_NE(s.last_request_.find("GET /health HTTP/1.1\r\n"), std::string::npos);
}

TEST(HttpProbe, WaitGivesUpOnTimeoutOrWhenTold) {
  auto port = FindFreePort();
  ASSERT_TRUE(port.ok());
  HealthWait w;
  w.port = *port;
  w.interval = milliseconds(10);
  w.timeout = milliseconds(200);
  Status st = WaitForHttpOk(w);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("did not answer 200"), std::string::npos) << st.message();
  w.timeout = milliseconds(60000);
  w.keep_going = [] { return Status::FailedPrecondition("serve died"); };
  st = WaitForHttpOk(w);
  EXPECT_EQ(st.message(), "serve died");
}

}  // namespace
}  // namespace landslide::os
