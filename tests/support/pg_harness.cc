#include "support/pg_harness.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "db/pg.h"
#include "os/ports.h"

namespace landslide::testing {

namespace {

// A parent-death signal fires when the spawning *thread* exits, so it is only safe to ask for
// one from the main thread, which lives as long as the test binary.
std::optional<int> DeathSignalForThisThread() {
  if (static_cast<pid_t>(syscall(SYS_gettid)) == getpid()) return SIGQUIT;
  return std::nullopt;
}

std::string Ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? "\"\"" : std::string(1, c);
  return out + "\"";
}

}  // namespace

TestPostgres& TestPostgres::Shared() {
  static TestPostgres instance;
  if (!instance.status_.ok()) {
    ADD_FAILURE() << "the test PostgreSQL server is not available: " << instance.status_.message();
  }
  return instance;
}

TestPostgres::TestPostgres() {
  char tmpl[] = "/tmp/landslide-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    status_ = Status::Internal("cannot create a temporary directory in /tmp");
    return;
  }
  dir_ = tmpl;
  // mkdtemp makes it 0700; the postgres user must be able to pass through it.
  chmod(dir_.c_str(), 0711);
  // Another process may take the free port between our look and PostgreSQL's bind: try again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    status_ = StartOnce();
    if (status_.ok()) return;
    server_.reset();
  }
  std::fprintf(stderr, "TestPostgres: %s\n", status_.message().c_str());
}

Status TestPostgres::StartOnce() {
  auto port = os::FindFreePort();
  if (!port.ok()) return port.status();
  port_ = *port;
  cluster::LocalPostgresOptions o;
  o.dir = dir_ / "pg";
  o.port = port_;
  o.shared_buffers = "128MB";  // several test binaries may run side by side
  o.skip_initdb_sync = true;
  o.parent_death_signal = DeathSignalForThisThread();
  auto pg = cluster::LocalPostgres::Create(std::move(o));
  if (!pg.ok()) return pg.status();
  server_ = std::move(*pg);
  return server_->Start();
}

TestPostgres::~TestPostgres() {
  if (server_) (void)server_->Stop(cluster::StopMode::kImmediate, std::chrono::seconds(30));
  server_.reset();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string TestPostgres::conninfo() const {
  if (!server_) return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=landslide";
  return server_->conninfo();
}

std::string TestPostgres::CreateDatabase(const std::string& name) {
  if (!server_) return conninfo();
  auto conn = db::PgConnection::Connect(server_->superuser_conninfo(), std::chrono::seconds(10));
  if (!conn.ok()) {
    ADD_FAILURE() << "CreateDatabase(" << name << "): " << conn.status().message();
    return server_->conninfo(name);
  }
  for (const std::string& sql : {"DROP DATABASE IF EXISTS " + Ident(name) + " WITH (FORCE)",
                                 "CREATE DATABASE " + Ident(name) + " OWNER landslide"}) {
    auto r = (*conn)->Exec(sql);
    if (!r.ok()) {
      ADD_FAILURE() << "CreateDatabase(" << name << "): " << r.status().message();
      break;
    }
  }
  return server_->conninfo(name);
}

void TestPostgres::Stop() {
  if (!server_) return;
  Status s = server_->Stop(cluster::StopMode::kFast);
  if (!s.ok()) ADD_FAILURE() << "stopping the test PostgreSQL: " << s.message();
}

void TestPostgres::Start() {
  if (!server_) return;
  Status s = server_->Start();
  if (!s.ok()) ADD_FAILURE() << "starting the test PostgreSQL: " << s.message();
}

}  // namespace landslide::testing
