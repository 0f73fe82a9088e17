#include "cluster/http_probe.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

namespace landslide::cluster {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxResponse = 1 << 20;

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Waits for `events` on fd until the deadline; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, MillisLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

// A connected non-blocking socket to `ai`, or -1 with `error` set.
int ConnectWithin(const addrinfo* ai, Clock::time_point deadline, std::string* error) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  Socket s(fd);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      *error = std::strerror(errno);
      return -1;
    }
    if (!WaitFor(fd, POLLOUT, deadline)) {
      *error = "connect timed out";
      return -1;
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      *error = std::strerror(err);
      return -1;
    }
  }
  return s.Release();
}

using AddrInfo = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

Result<AddrInfo> Resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    return Status::Unavailable("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  return AddrInfo(res, freeaddrinfo);
}

// Decodes a chunked body; returns what it could on malformed input.
std::string Dechunk(const std::string& in) {
  std::string out;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) break;
    size_t len = std::strtoul(in.substr(pos, eol - pos).c_str(), nullptr, 16);
    if (len == 0) break;
    pos = eol + 2;
    out += in.substr(pos, len);
    pos += len + 2;
  }
  return out;
}

}  // namespace

Result<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path,
                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto addresses = Resolve(host, port);
  if (!addresses.ok()) return addresses.status();
  const std::string service = std::to_string(port);
  std::string last_error = "no address";
  for (addrinfo* ai = addresses->get(); ai != nullptr; ai = ai->ai_next) {
    Socket s(ConnectWithin(ai, deadline, &last_error));
    if (s.fd() < 0) continue;
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + service +
                          "\r\nUser-Agent: landslide-probe\r\nAccept: */*\r\n"
                          "Connection: close\r\n\r\n";
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = send(s.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!WaitFor(s.fd(), POLLOUT, deadline)) return Status::Unavailable("send timed out");
      } else {
        return Status::Unavailable(std::string("send failed: ") + std::strerror(errno));
      }
    }
    std::string response;
    char buf[8192];
    while (response.size() < kMaxResponse) {
      ssize_t n = recv(s.fd(), buf, sizeof buf, 0);
      if (n > 0) {
        response.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        break;
      } else if (errno == EAGAIN || errno == EINTR) {
        if (!WaitFor(s.fd(), POLLIN, deadline)) {
          return Status::Unavailable("no complete answer within the timeout");
        }
      } else {
        return Status::Unavailable(std::string("receive failed: ") + std::strerror(errno));
      }
    }
    // "HTTP/1.1 200 OK\r\n..."
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) {
      return Status::Unavailable("the answer is not HTTP");
    }
    HttpResponse out;
    out.status = std::atoi(response.c_str() + 9);
    size_t header_end = response.find("\r\n\r\n");
    if (header_end != std::string::npos) {
      std::string headers = response.substr(0, header_end);
      for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.body = response.substr(header_end + 4);
      if (headers.find("transfer-encoding: chunked") != std::string::npos) {
        out.body = Dechunk(out.body);
      }
    }
    return out;
  }
  return Status::Unavailable("cannot connect to " + host + ":" + service + ": " + last_error);
}

bool AcceptsConnections(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto addresses = Resolve(host, port);
  if (!addresses.ok()) return false;
  std::string error;
  for (addrinfo* ai = addresses->get(); ai != nullptr; ai = ai->ai_next) {
    Socket s(ConnectWithin(ai, deadline, &error));
    if (s.fd() >= 0) return true;
  }
  return false;
}

Status WaitForHttpOk(const HealthWait& wait) {
  const auto start = Clock::now();
  const auto deadline = start + wait.timeout;
  auto next_progress = start + wait.progress_every;
  std::string last;
  while (true) {
    auto attempt = HttpGet(wait.host, wait.port, wait.path, std::chrono::milliseconds(2000));
    if (attempt.ok() && attempt->status == 200) return Status::Ok();
    if (attempt.ok()) {
      std::string body = attempt->body.substr(0, 200);
      for (char& c : body) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      last = std::to_string(attempt->status) + (body.empty() ? "" : ": " + body);
    } else {
      last = attempt.status().message();
    }
    if (wait.keep_going) LANDSLIDE_RETURN_IF_ERROR(wait.keep_going());
    auto now = Clock::now();
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
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        wait.interval, std::chrono::milliseconds(MillisLeft(deadline) + 1)));
  }
}

}  // namespace landslide::cluster
