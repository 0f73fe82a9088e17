// A throwaway PostgreSQL server for integration tests: initdb in a fresh directory under /tmp,
// run as the unprivileged `postgres` user when we are root (PostgreSQL refuses root), on a free
// loopback port, started on first use and removed when the test binary exits.
//
//   auto& pg = landslide::testing::TestPostgres::Shared();
//   std::string conninfo = pg.CreateDatabase("votes_test");  // empty database, yours alone
//
// Failures to start are reported as test failures (ADD_FAILURE) with PostgreSQL's own words;
// the conninfo then points at a server that is not there, so connecting fails as kUnavailable.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cluster/local_postgres.h"
#include "common/status.h"

namespace landslide::testing {

class TestPostgres {
 public:
  static TestPostgres& Shared();  // starts on first use

  // libpq key=value conninfo to the `landslide` database, created when the server first started
  // (so fresh for each test binary), as the `landslide` role that owns it.
  std::string conninfo() const;
  // Creates database `name` (dropping it first, with any sessions still on it) owned by the
  // `landslide` role, and returns its conninfo.
  std::string CreateDatabase(const std::string& name);
  // For outage tests: a fast shutdown, and a start on the same port and data.
  void Stop();
  void Start();

  // Beyond the basic interface, for tests that need more.
  int port() const { return port_; }
  pid_t postmaster_pid() const { return server_ ? server_->postmaster_pid() : -1; }
  const std::filesystem::path& dir() const { return dir_; }
  cluster::LocalPostgres* server() { return server_.get(); }
  // Why the server could not be started, or OK.
  const Status& status() const { return status_; }

  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

 private:
  TestPostgres();
  Status StartOnce();

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<cluster::LocalPostgres> server_;
  Status status_;
};

}  // namespace landslide::testing
