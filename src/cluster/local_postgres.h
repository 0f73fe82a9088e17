// One PostgreSQL server in a directory of its own, for `landslide up` and the tests: initdb on
// first use (reused on later runs), a configuration fit for Landslide (fsync and synchronous
// commit on, WAL ready for replication), and a `landslide` role owning a `landslide` database.
// When we run as root, initdb and postgres run as an unprivileged user (PostgreSQL refuses root)
// that owns the directory. The server never listens on 5432, so a system cluster is never touched.
//
// Layout under `dir`:
//   data/           the cluster (PGDATA), mode 0700, owned by the server's user
//   run/            its unix socket, mode 0700: only that user and root can use the trust
//                   authentication of local connections
//   postgres.log    server output (unless options.log_file says otherwise)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "os/process.h"
#include "os/users.h"

namespace landslide::cluster {

struct LocalPostgresOptions {
  std::filesystem::path dir;  // created if missing; its parents must be traversable by `os_user`
  int port = 0;               // TCP port on 127.0.0.1; required; 5432 is refused
  std::string os_user = "postgres";    // who runs initdb and postgres when we are root
  std::string role = "landslide";      // created with LOGIN CREATEDB; trusted on loopback
  std::string database = "landslide";  // created, owned by `role`
  std::filesystem::path log_file;      // default dir/postgres.log
  std::string shared_buffers = "256MB";
  int max_connections = 200;
  // Extra postgresql.conf lines and pg_hba.conf lines (for replication, added by later work).
  std::vector<std::string> extra_config;
  std::vector<std::string> extra_hba;
  std::chrono::seconds start_timeout{60};
  // initdb --no-sync: for throwaway test servers only, where a crash of the machine does not
  // matter; saves seconds per test binary.
  bool skip_initdb_sync = false;
  // See ProcessOptions::parent_death_signal; `landslide up` sets it, libraries should not.
  std::optional<int> parent_death_signal;
};

enum class StopMode {
  kSmart,      // SIGTERM: wait for clients to disconnect
  kFast,       // SIGINT: roll back open transactions, checkpoint, exit
  kImmediate,  // SIGQUIT: exit at once; crash recovery on next start
};

class LocalPostgres {
 public:
  // Finds the PostgreSQL binaries and checks the options; starts nothing.
  static Result<std::unique_ptr<LocalPostgres>> Create(LocalPostgresOptions options);
  ~LocalPostgres();  // stops the server (fast) if this object started it
  LocalPostgres(const LocalPostgres&) = delete;
  LocalPostgres& operator=(const LocalPostgres&) = delete;

  // Creates the directory and runs initdb unless data/ already holds a cluster, writes the
  // Landslide configuration, starts the server and waits until it accepts connections, then
  // makes sure the role and database exist. Idempotent: a no-op while it runs.
  Status Start();
  // Stops the server and waits up to `timeout`; then SIGKILLs what is left. OK if not running.
  Status Stop(StopMode mode = StopMode::kFast,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // SIGKILL to the postmaster and all its backends at once, like losing the machine.
  Status Kill9();
  // True while the postmaster we started is alive.
  bool Running();

  pid_t postmaster_pid() const { return server_ ? server_->pid() : -1; }
  int port() const { return options_.port; }
  const std::filesystem::path& dir() const { return options_.dir; }
  std::filesystem::path data_dir() const { return options_.dir / "data"; }
  std::filesystem::path socket_dir() const { return options_.dir / "run"; }
  const std::filesystem::path& log_file() const { return options_.log_file; }
  const std::filesystem::path& bin_dir() const { return bin_dir_; }
  // "host=127.0.0.1 port=P dbname=landslide user=landslide" (or `database` if given).
  std::string conninfo(const std::string& database = "") const;
  // The bootstrap superuser over the unix socket (trusted there), for administration.
  std::string superuser_conninfo(const std::string& database = "postgres") const;

 private:
  LocalPostgres(LocalPostgresOptions options, std::filesystem::path bin_dir)
      : options_(std::move(options)), bin_dir_(std::move(bin_dir)) {}
  Status PrepareDirectories();
  Status InitDb();
  Status WriteConfig();
  Status WaitUntilReady();
  Status EnsureRoleAndDatabase();
  // Runs a PostgreSQL tool to completion as the server's user; its output goes to the log.
  Status RunTool(const std::vector<std::string>& argv, std::chrono::seconds timeout);
  Status ErrorWithLogTail(const std::string& what) const;  // an error with the log's last lines

  LocalPostgresOptions options_;
  std::filesystem::path bin_dir_;
  std::optional<os::UserIds> owner_;  // set when we are root and hand the files to os_user
  std::optional<os::Process> server_;
};

// WAL and checkpoint settings (name, value) of every PostgreSQL Landslide runs, single region or
// under Patroni. Measured in docs/PROFILING.md: with the defaults (max_wal_size 1GB) a long run
// checkpoints about every minute and writes a quarter more WAL per vote, which every standby
// receives too.
const std::vector<std::pair<std::string, std::string>>& WalSettings();

// The directory with initdb and postgres: $LANDSLIDE_PG_BINDIR, `pg_config --bindir`, or the
// newest /usr/lib/postgresql/*/bin.
Result<std::filesystem::path> FindPostgresBinDir();

// OK if `user` can reach `path` (search permission on every directory from / down to it);
// otherwise names the first directory that stops it and how to fix that.
Status CheckTraversable(const std::filesystem::path& path, const os::UserIds& user);

// The pid in `data_dir`/postmaster.pid if that process still runs: a server from an earlier run,
// or one that another process (e.g. a first `landslide up`) started.
std::optional<pid_t> LivePostmaster(const std::filesystem::path& data_dir);

// A value for a libpq key=value conninfo: bare when it is plain, else single-quoted (a socket
// directory with a space in it, say).
std::string ConnValue(const std::string& value);

}  // namespace landslide::cluster
