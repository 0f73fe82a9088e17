#include "os/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "os/unique_fd.h"

namespace landslide::os {

Result<int> FindFreePort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return Status::Unavailable(std::string("cannot find a free port: ") + std::strerror(errno));
  }
  return static_cast<int>(ntohs(addr.sin_port));
}

bool PortIsFree(int port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  // Servers set SO_REUSEADDR too, so a port in TIME_WAIT counts as free, as it is for them.
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
         listen(fd.get(), 1) == 0;
}

Result<int> FindFreeBasePort() {
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^ std::random_device{}());
  // Below the kernel's ephemeral range (32768+), where outgoing connections take their ports.
  std::uniform_int_distribution<int> pick(200, 640);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int base = pick(rng) * 50;
    bool free = true;
    for (int p = base; p < base + 50 && free; ++p) free = PortIsFree(p);
    if (free) return base;
  }
  return Status::Unavailable("no 50 consecutive free ports found on 127.0.0.1");
}

}  // namespace landslide::os
