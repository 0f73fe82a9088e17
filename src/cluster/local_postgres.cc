#include "cluster/local_postgres.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "db/pg.h"
#include "os/files.h"
#include "os/ports.h"
#include "os/process.h"
#include "os/users.h"

namespace landslide::cluster {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// The longest unix socket path (sun_path is 108 bytes with its terminating NUL).
constexpr size_t kMaxSocketPath = 107;

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// A value for postgresql.conf: single-quoted, quotes doubled.
std::string ConfString(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? "''" : std::string(1, c);
  return out + "'";
}

// An SQL identifier, double-quoted.
std::string Ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? "\"\"" : std::string(1, c);
  return out + "\"";
}

bool IsExecutable(const fs::path& p) { return access(p.c_str(), X_OK) == 0; }

bool HasServer(const fs::path& dir) {
  return IsExecutable(dir / "initdb") && IsExecutable(dir / "postgres");
}

}  // namespace

std::optional<pid_t> LivePostmaster(const fs::path& data) {
  std::ifstream in(data / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (os::IsGone(static_cast<pid_t>(pid))) return std::nullopt;
  return static_cast<pid_t>(pid);
}

Result<fs::path> FindPostgresBinDir() {
  if (const char* env = std::getenv("LANDSLIDE_PG_BINDIR"); env && *env) {
    if (HasServer(env)) return fs::path(env);
    return Status::NotFound(std::string("LANDSLIDE_PG_BINDIR=") + env +
                            " has no initdb and postgres");
  }
  if (FILE* p = popen("pg_config --bindir 2>/dev/null", "r")) {
    char buf[4096] = {0};
    std::string out;
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (!out.empty() && HasServer(out)) return fs::path(out);
  }
  // Debian's pg_config (from libpq-dev) may not point at the server: take the newest installed.
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    int version = std::atoi(entry.path().filename().c_str());
    if (version > 0 && HasServer(bin)) found.emplace_back(version, bin);
  }
  if (found.empty()) {
    return Status::NotFound(
        "no PostgreSQL server binaries found (looked at pg_config --bindir and "
        "/usr/lib/postgresql/*/bin); install the postgresql package or set LANDSLIDE_PG_BINDIR");
  }
  std::sort(found.begin(), found.end());
  return found.back().second;
}

Status CheckTraversable(const fs::path& path, const os::UserIds& user) {
  if (user.uid == 0) return Status::Ok();
  fs::path prefix;
  for (const auto& part : path) {
    prefix /= part;
    struct stat st {};
    if (stat(prefix.c_str(), &st) != 0) {
      return Status::NotFound("cannot inspect " + prefix.string() + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
      return Status::InvalidArgument(prefix.string() + " is not a directory");
    bool in_group =
        std::find(user.groups.begin(), user.groups.end(), st.st_gid) != user.groups.end();
    mode_t need = st.st_uid == user.uid ? S_IXUSR : in_group ? S_IXGRP : S_IXOTH;
    if ((st.st_mode & need) == 0) {
      return Status::FailedPrecondition(
          "PostgreSQL runs as user " + user.name + ", which cannot reach " + path.string() +
          " because " + prefix.string() + " is not searchable by it (mode " + Octal(st.st_mode) +
          "); choose a directory it can reach (e.g. under /tmp or /var/tmp) "
          "or run `chmod o+x " +
          prefix.string() + "`");
    }
  }
  return Status::Ok();
}

std::string ConnValue(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\\t\n") == std::string::npos) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

Result<std::unique_ptr<LocalPostgres>> LocalPostgres::Create(LocalPostgresOptions options) {
  if (options.dir.empty()) return Status::InvalidArgument("no directory given for PostgreSQL");
  if (options.port <= 0 || options.port > 65535) {
    return Status::InvalidArgument("invalid PostgreSQL port " + std::to_string(options.port));
  }
  if (options.port == 5432) {
    return Status::InvalidArgument(
        "port 5432 belongs to the system's PostgreSQL; Landslide never uses it");
  }
  options.dir = fs::absolute(options.dir).lexically_normal();
  if (!options.dir.has_filename()) options.dir = options.dir.parent_path();
  if (options.log_file.empty()) options.log_file = options.dir / "postgres.log";
  options.log_file = fs::absolute(options.log_file).lexically_normal();
  std::string socket_path =
      (options.dir / "run" / (".s.PGSQL." + std::to_string(options.port))).string();
  if (socket_path.size() > kMaxSocketPath) {
    return Status::InvalidArgument(
        "the directory " + options.dir.string() + " is too deep for PostgreSQL's unix socket (" +
        std::to_string(socket_path.size()) + " > " + std::to_string(kMaxSocketPath) +
        " characters); choose a shorter one");
  }
  auto bin = FindPostgresBinDir();
  if (!bin.ok()) return bin.status();
  std::unique_ptr<LocalPostgres> pg(new LocalPostgres(std::move(options), *bin));  // NOLINT
  if (geteuid() == 0) {
    auto ids = os::LookUpUser(pg->options_.os_user);
    if (!ids.ok()) {
      return Status::FailedPrecondition(
          "PostgreSQL refuses to run as root and user " + pg->options_.os_user +
          " does not exist; install the postgresql package (it creates that user)");
    }
    pg->owner_ = std::move(*ids);
  }
  return pg;
}

LocalPostgres::~LocalPostgres() {
  if (Running()) (void)Stop(StopMode::kFast);
}

std::string LocalPostgres::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(options_.port) +
         " dbname=" + ConnValue(database.empty() ? options_.database : database) +
         " user=" + ConnValue(options_.role);
}

std::string LocalPostgres::superuser_conninfo(const std::string& database) const {
  return "host=" + ConnValue(socket_dir().string()) + " port=" + std::to_string(options_.port) +
         " dbname=" + ConnValue(database) + " user=postgres";
}

Status LocalPostgres::ErrorWithLogTail(const std::string& what) const {
  std::string tail = os::TailOfFile(options_.log_file, 600);
  std::string msg = what + " (log: " + options_.log_file.string() + ")";
  if (!tail.empty()) {
    std::replace(tail.begin(), tail.end(), '\n', ' ');
    msg += "; it ends: " + tail;
  }
  return Status::Unavailable(msg);
}

Status LocalPostgres::PrepareDirectories() {
  const fs::path& dir = options_.dir;
  // Directories we create get o+x so that the server's user can pass through them.
  std::vector<fs::path> created;
  for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) {
    created.push_back(p);
    if (p == p.parent_path()) break;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  for (const auto& p : created) chmod(p.c_str(), 0755);
  fs::create_directories(options_.log_file.parent_path(), ec);
  if (owner_) {
    LANDSLIDE_RETURN_IF_ERROR(CheckTraversable(dir, *owner_));
    LANDSLIDE_RETURN_IF_ERROR(os::ChownTo(dir, owner_));
  }
  fs::path run = socket_dir();
  fs::create_directories(run, ec);
  if (ec) return Status::Internal("cannot create " + run.string() + ": " + ec.message());
  // Only the server's user (and root) may reach the socket: local connections are trusted.
  chmod(run.c_str(), 0700);
  LANDSLIDE_RETURN_IF_ERROR(os::ChownTo(run, owner_));
  if (!fs::exists(options_.log_file)) {
    std::ofstream touch(options_.log_file, std::ios::app);
  }
  chmod(options_.log_file.c_str(), 0640);
  return os::ChownTo(options_.log_file, owner_);
}

Status LocalPostgres::RunTool(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  os::ProcessOptions o;
  o.argv = argv;
  o.user = owner_ ? owner_->name : "";
  o.cwd = options_.dir;
  o.log_file = options_.log_file;
  o.env = {{"LC_ALL", "C"}, {"TZ", "UTC"}};
  auto p = os::Process::Spawn(o);
  if (!p.ok()) return p.status();
  auto st = p->Wait(timeout);
  if (!st.ok())
    return ErrorWithLogTail(fs::path(argv[0]).filename().string() + " did not finish in time");
  if (!st->success()) {
    return ErrorWithLogTail(fs::path(argv[0]).filename().string() + " failed: " + st->ToString());
  }
  return Status::Ok();
}

Status LocalPostgres::InitDb() {
  if (fs::exists(data_dir() / "PG_VERSION")) return Status::Ok();  // restart: reuse it
  std::error_code ec;
  if (fs::exists(data_dir()) && !fs::is_empty(data_dir(), ec)) {
    return Status::FailedPrecondition(data_dir().string() +
                                      " exists but holds no PostgreSQL cluster; remove it");
  }
  // initdb into a side directory and rename, so an interrupted initdb never looks finished.
  fs::path tmp = options_.dir / "data.initdb";
  fs::remove_all(tmp, ec);
  fs::remove(data_dir(), ec);
  std::vector<std::string> argv = {(bin_dir_ / "initdb").string(), "-D", tmp.string(),
                                   "--username=postgres", "--auth=trust", "--encoding=UTF8",
                                   "--locale=C",
                                   // Checksums catch silent corruption of recorded ballots, and let
                                   // pg_rewind bring a failed primary back as a standby.
                                   "--data-checksums", "--no-instructions"};
  if (options_.skip_initdb_sync) argv.push_back("--no-sync");
  LANDSLIDE_RETURN_IF_ERROR(RunTool(argv, std::chrono::seconds(120)));
  fs::rename(tmp, data_dir(), ec);
  if (ec) return Status::Internal("cannot move the new cluster into place: " + ec.message());
  return Status::Ok();
}

const std::vector<std::pair<std::string, std::string>>& WalSettings() {
  static const std::vector<std::pair<std::string, std::string>> settings = {
      {"max_wal_size", "4GB"},         {"min_wal_size", "1GB"},
      {"checkpoint_timeout", "15min"}, {"checkpoint_completion_target", "0.9"},
      {"wal_compression", "lz4"},      {"log_checkpoints", "on"},
  };
  return settings;
}

Status LocalPostgres::WriteConfig() {
  std::ostringstream conf;
  conf << "# Written by landslide on every start; edit LocalPostgresOptions instead.\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "port = " << options_.port << "\n"
       << "unix_socket_directories = " << ConfString(socket_dir().string()) << "\n"
       << "unix_socket_permissions = 0700\n"
       << "max_connections = " << options_.max_connections << "\n"
       << "shared_buffers = " << options_.shared_buffers
       << "\n"
       // A ballot is acknowledged only once durable: never trade these for speed.
       << "fsync = on\n"
       << "synchronous_commit = on\n"
       << "full_page_writes = on\n"
       // After a crash, one syncfs() instead of an fsync() per file: seconds, not minutes.
       << "recovery_init_sync_method = syncfs\n"
       << "wal_level = replica\n";
  for (const auto& [name, value] : WalSettings()) conf << name << " = '" << value << "'\n";
  conf << "max_wal_senders = 10\n"
       << "max_replication_slots = 10\n"
       << "hot_standby = on\n"
       << "logging_collector = off\n"
       << "log_destination = 'stderr'\n"
       << "log_line_prefix = '%m [%p] '\n"
       << "log_timezone = 'UTC'\n"
       << "timezone = 'UTC'\n";
  for (const auto& line : options_.extra_config) conf << line << "\n";
  LANDSLIDE_RETURN_IF_ERROR(
      os::WriteFileAs(data_dir() / "landslide.conf", conf.str(), 0600, owner_));

  fs::path main_conf = data_dir() / "postgresql.conf";
  const std::string include = "include_if_exists = 'landslide.conf'";
  std::ifstream in(main_conf);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open()) return Status::Internal("cannot read " + main_conf.string());
  if (text.find(include) == std::string::npos) {
    std::ofstream out(main_conf, std::ios::app);
    out << "\n# Landslide's settings come last, so they win.\n" << include << "\n";
    if (!out) return Status::Internal("cannot append to " + main_conf.string());
  }

  std::ostringstream hba;
  hba << "# Written by landslide on every start.\n"
      << "# The socket directory is private to the server's user, so local trust is safe.\n"
      << "local all all trust\n"
      << "host all " << options_.role << " 127.0.0.1/32 trust\n";
  for (const auto& line : options_.extra_hba) hba << line << "\n";
  return os::WriteFileAs(data_dir() / "pg_hba.conf", hba.str(), 0600, owner_);
}

Status LocalPostgres::Start() {
  if (Running()) return Status::Ok();
  server_.reset();
  LANDSLIDE_RETURN_IF_ERROR(PrepareDirectories());
  LANDSLIDE_RETURN_IF_ERROR(InitDb());
  LANDSLIDE_RETURN_IF_ERROR(WriteConfig());
  if (auto pid = LivePostmaster(data_dir())) {
    return Status::FailedPrecondition("a PostgreSQL server (pid " + std::to_string(*pid) +
                                      ") from an earlier run still uses " + data_dir().string() +
                                      "; stop it first (kill " + std::to_string(*pid) + ")");
  }
  if (!os::PortIsFree(options_.port)) {
    return Status::Unavailable("port " + std::to_string(options_.port) +
                               " on 127.0.0.1 is already in use; choose another port");
  }
  os::ProcessOptions o;
  o.argv = {(bin_dir_ / "postgres").string(), "-D", data_dir().string()};
  o.user = owner_ ? owner_->name : "";
  o.cwd = options_.dir;
  o.log_file = options_.log_file;
  o.env = {{"LC_ALL", "C"}, {"TZ", "UTC"}};
  o.new_process_group = true;
  o.parent_death_signal = options_.parent_death_signal;
  o.stop_grace = std::chrono::seconds(60);
  auto p = os::Process::Spawn(o);
  if (!p.ok()) return p.status().Context("starting PostgreSQL");
  server_ = std::move(*p);
  Status ready = WaitUntilReady();
  if (ready.ok()) ready = EnsureRoleAndDatabase();
  if (!ready.ok()) {
    (void)Stop(StopMode::kImmediate, std::chrono::seconds(10));
    return ready;
  }
  return Status::Ok();
}

Status LocalPostgres::WaitUntilReady() {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  const std::string ping = superuser_conninfo() + " connect_timeout=2";
  while (true) {
    if (!server_->Running()) {
      return ErrorWithLogTail("PostgreSQL stopped during start-up (" +
                              server_->exit_status()->ToString() + ")");
    }
    if (PQping(ping.c_str()) == PQPING_OK) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return ErrorWithLogTail("PostgreSQL did not accept connections within " +
                              std::to_string(options_.start_timeout.count()) + " s");
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
}

Status LocalPostgres::EnsureRoleAndDatabase() {
  auto conn = db::PgConnection::Connect(superuser_conninfo(), std::chrono::seconds(10));
  if (!conn.ok()) return conn.status();
  db::PgConnection& c = **conn;
  auto role = c.ExecParams("SELECT 1 FROM pg_roles WHERE rolname = $1", {options_.role});
  if (!role.ok()) return role.status().Context("looking up role " + options_.role);
  if (role->rows() == 0) {
    auto r = c.Exec("CREATE ROLE " + Ident(options_.role) + " LOGIN CREATEDB");
    if (!r.ok()) return r.status().Context("creating role " + options_.role);
  }
  auto database = c.ExecParams("SELECT 1 FROM pg_database WHERE datname = $1", {options_.database});
  if (!database.ok()) return database.status().Context("looking up database");
  if (database->rows() == 0) {
    auto r =
        c.Exec("CREATE DATABASE " + Ident(options_.database) + " OWNER " + Ident(options_.role));
    if (!r.ok()) return r.status().Context("creating database " + options_.database);
  }
  return Status::Ok();
}

Status LocalPostgres::Stop(StopMode mode, milliseconds timeout) {
  if (!server_) return Status::Ok();
  if (server_->Running()) {
    int sig = mode == StopMode::kSmart ? SIGTERM : mode == StopMode::kFast ? SIGINT : SIGQUIT;
    LANDSLIDE_RETURN_IF_ERROR(server_->Signal(sig));
    if (!server_->Wait(timeout).ok()) {
      // Past the deadline: nothing more graceful is left to try.
      (void)server_->SignalGroup(SIGKILL);
      (void)server_->Wait(std::chrono::seconds(30));
    }
  }
  server_.reset();
  return Status::Ok();
}

Status LocalPostgres::Kill9() {
  if (!server_) return Status::Ok();
  // Backends put themselves in process groups of their own, so the postmaster's group does not
  // reach them. Freeze the postmaster so that it forks no one new, then kill it and every child
  // at once: backends left behind keep the old shared memory attached, and a new postmaster
  // refuses to start until they are gone.
  std::vector<pid_t> victims;
  if (server_->Running()) {
    (void)server_->Signal(SIGSTOP);
    victims = os::ChildrenOf(server_->pid());
  }
  Status s = server_->SignalGroup(SIGKILL);
  for (pid_t child : victims) kill(child, SIGKILL);
  (void)server_->Wait(std::chrono::seconds(30));
  server_.reset();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (pid_t child : victims) {
    while (!os::IsGone(child) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  }
  return s;
}

bool LocalPostgres::Running() { return server_ && server_->Running(); }

}  // namespace landslide::cluster
