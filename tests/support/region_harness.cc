#include "support/region_harness.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cluster/local_postgres.h"
#include "common/hex.h"
#include "config/election_file.h"
#include "crypto/keys.h"
#include "domain/election.h"
#include "os/ports.h"
#include "os/process.h"
#include "os/subcommand.h"
#include "support/pg_harness.h"

namespace landslide::testing {

namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

// A parent-death signal fires when the spawning *thread* exits, so only ask for one from the
// main thread (which lives as long as the test binary): then a crashed test leaves no serve.
std::optional<int> DeathSignalForThisThread() {
  if (static_cast<pid_t>(syscall(SYS_gettid)) == getpid()) return SIGKILL;
  return std::nullopt;
}

std::string ReadWholeFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Database names must be unique on the shared server and valid identifiers.
std::string DefaultDatabaseName(const std::string& region) {
  static std::atomic<int> counter{0};
  std::string suite = "test";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    suite = info->test_suite_name();
  } else if (const auto* s = ::testing::UnitTest::GetInstance()->current_test_suite()) {
    suite = s->name();
  }
  std::string name = "region_" + suite.substr(0, 30) + "_" + region + "_" +
                     std::to_string(getpid()) + "_" + std::to_string(counter++);
  for (char& c : name) {
    c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  return name;
}

}  // namespace

std::string ElectionJson(TimePoint opens_at, TimePoint closes_at,
                         const std::map<std::string, std::vector<std::string>>& extra) {
  const Election& base = Election::Default2016();
  std::vector<Election::JurisdictionBallot> ballots;
  for (const auto& j : base.jurisdictions()) {
    Election::JurisdictionBallot b{j.code, j.name, {}};
    for (CandidateIndex c : j.ballot) b.candidates.push_back(base.candidates()[c]);
    if (auto it = extra.find(j.code); it != extra.end()) {
      b.candidates.insert(b.candidates.end(), it->second.begin(), it->second.end());
    }
    ballots.push_back(std::move(b));
  }
  std::string error;
  auto e = Election::Create("Integration test election", opens_at, closes_at, ballots, &error);
  if (!e) {
    ADD_FAILURE() << "cannot build the test election: " << error;
    return "{}";
  }
  return ElectionToJson(*e);
}

RegionHarness::RegionHarness(RegionOptions options) : options_(std::move(options)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "landslide-region-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
}

RegionHarness::~RegionHarness() {
  db_.reset();
  if (peer_) peer_->Terminate(std::chrono::seconds(10));
  peer_.reset();
  if (serve_) Terminate();
  serve_.reset();
  if (!dir_.empty() && std::getenv("LANDSLIDE_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

AssertionResult RegionHarness::RunCli(const std::vector<std::string>& args) {
  os::SubcommandOptions o;
  o.binary = LANDSLIDE_BINARY;
  o.args = args;
  o.process.log_file = dir_ / "cli.log";
  o.process.parent_death_signal = DeathSignalForThisThread();
  auto exit = os::RunSubcommand(o, std::chrono::seconds(120));
  if (!exit.ok()) return AssertionFailure() << exit.status().message();
  if (!exit->success()) {
    return AssertionFailure() << os::ShowCommand(args) << " " << exit->ToString() << ":\n"
                              << os::TailOfFile(o.process.log_file);
  }
  return AssertionSuccess();
}

AssertionResult RegionHarness::Start() {
  if (dir_.empty()) return AssertionFailure() << "cannot create a temporary directory";
  if (Status s = InitCrypto(); !s.ok()) return AssertionFailure() << s.message();
  auto& pg = TestPostgres::Shared();
  if (!pg.status().ok())
    return AssertionFailure() << "no test PostgreSQL: " << pg.status().message();
  if (options_.database.empty()) options_.database = DefaultDatabaseName(options_.region);
  conninfo_ = pg.CreateDatabase(options_.database);

  if (auto r = RunCli({"keys", "init", "--out", keys_dir().string()}); !r) return r;
  auto keys = LoadKeys(keys_dir(), SecretKeys::kNone);
  if (!keys.ok()) return AssertionFailure() << "loading the keys: " << keys.status().message();
  hasher_.emplace(keys->registry_key);

  const auto csv = dir_ / "voters.csv";
  if (auto r = RunCli({"voters", "generate", "--count", std::to_string(options_.voters), "--seed",
                       std::to_string(options_.seed), "--out", csv.string()});
      !r) {
    return r;
  }
  std::istringstream in(ReadWholeFile(csv));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t first = line.find(','), last = line.rfind(',');
    if (first == std::string::npos) return AssertionFailure() << "bad registry line: " << line;
    voters_.push_back({line.substr(0, first), line.substr(last + 1)});
  }
  if (static_cast<int64_t>(voters_.size()) != options_.voters) {
    return AssertionFailure() << "voters generate wrote " << voters_.size() << " voters, not "
                              << options_.voters;
  }

  std::vector<std::string> import = {"voters",  "import", "--db",
                                     conninfo_, "--keys", keys_dir().string()};
  if (options_.election_json) {
    SetElectionJson(*options_.election_json);
    import.insert(import.end(), {"--election", (dir_ / "election.json").string()});
  }
  if (options_.trustees) {
    std::vector<std::string> init = {
        "trustees", "init",  "--trustees",  "3",     "--threshold",
        "2",        "--kdf", "interactive", "--out", (keys_dir() / "trustees").string()};
    if (options_.election_json) {
      init.insert(init.end(), {"--election", (dir_ / "election.json").string()});
    }
    if (auto r = RunCli(init); !r) return r;
  }
  import.push_back(csv.string());
  if (auto r = RunCli(import); !r) return r;
  return StartServe();
}

void RegionHarness::SetElectionJson(const std::string& json) {
  options_.election_json = json;
  std::ofstream(dir_ / "election.json", std::ios::trunc) << json;
}

AssertionResult RegionHarness::StartServe() {
  return SpawnServe(options_.region, serve_log_path(), port_, serve_);
}

AssertionResult RegionHarness::StartPeer(const std::string& region_name) {
  peer_region_ = region_name;
  return SpawnServe(region_name, peer_log_path(), peer_port_, peer_);
}

AssertionResult RegionHarness::SpawnServe(const std::string& region,
                                          const std::filesystem::path& log, uint16_t& port,
                                          std::optional<os::Process>& process) {
  if (process && process->Running()) return AssertionFailure() << "serve is already running";
  const bool fixed_port = port != 0;
  // A port found free may be taken before serve binds it; only then try another one.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!fixed_port) {
      auto free_port = os::FindFreePort();
      if (!free_port.ok()) return AssertionFailure() << free_port.status().message();
      port = static_cast<uint16_t>(*free_port);
    }
    os::SubcommandOptions o;
    o.binary = LANDSLIDE_BINARY;
    o.args = {
        "serve", "--region", region,   "--http",           "127.0.0.1:" + std::to_string(port),
        "--db",  conninfo_,  "--keys", keys_dir().string()};
    if (options_.election_json) {
      o.args.insert(o.args.end(), {"--election", (dir_ / "election.json").string()});
    }
    o.args.insert(o.args.end(), options_.serve_flags.begin(), options_.serve_flags.end());
    o.process.log_file = log;
    o.process.parent_death_signal = DeathSignalForThisThread();
    o.process.stop_grace = std::chrono::seconds(10);
    auto p = os::StartSubcommand(o);
    if (!p.ok()) return AssertionFailure() << "spawning serve: " << p.status().message();
    process.emplace(std::move(*p));
    auto healthy = WaitHealthyAt(port, process, log, options_.health_timeout);
    if (healthy) return healthy;
    const bool port_taken =
        !process->Running() && os::TailOfFile(log, 500).find("cannot listen") != std::string::npos;
    if (!port_taken || fixed_port) return healthy;
  }
  return AssertionFailure() << "serve could not find a free port";
}

AssertionResult RegionHarness::WaitHealthy(std::chrono::milliseconds timeout) {
  return WaitHealthyAt(port_, serve_, serve_log_path(), timeout);
}

AssertionResult RegionHarness::WaitHealthyAt(uint16_t port, std::optional<os::Process>& process,
                                             const std::filesystem::path& log,
                                             std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpClient client("127.0.0.1", port, std::chrono::seconds(2));
  Response last;
  while (true) {
    if (!process || !process->Running()) {
      std::string how = process && process->exit_status() ? process->exit_status()->ToString() : "";
      return AssertionFailure() << "landslide serve exited (" << how
                                << ") before it was healthy; serve log:\n"
                                << os::TailOfFile(log, 3000);
    }
    last = client.Get("/health");
    if (last.status == 200) return AssertionSuccess();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return AssertionFailure() << "GET /health did not answer 200 within " << timeout.count()
                            << " ms; last answer: " << last.Describe() << "\nserve log:\n"
                            << os::TailOfFile(log, 3000);
}

AssertionResult RegionHarness::Restart() {
  Terminate();
  return StartServe();
}

void RegionHarness::Kill9() {
  if (!serve_) return;
  (void)serve_->Signal(SIGKILL);
  auto r = serve_->Wait(std::chrono::seconds(10));
  if (!r.ok()) ADD_FAILURE() << "serve survived SIGKILL: " << r.status().message();
}

os::ExitStatus RegionHarness::Terminate() {
  if (!serve_) return {};
  return serve_->Terminate(std::chrono::seconds(10));
}

bool RegionHarness::ServeRunning() { return serve_ && serve_->Running(); }

std::vector<RegistryVoter> RegionHarness::VotersIn(const std::string& state) const {
  std::vector<RegistryVoter> out;
  for (const auto& v : voters_) {
    if (v.state == state) out.push_back(v);
  }
  return out;
}

std::string RegionHarness::ServeLog() const { return ReadWholeFile(serve_log_path()); }

std::string RegionHarness::ServeLogTail(size_t bytes) const {
  return os::TailOfFile(serve_log_path(), bytes);
}

std::unique_ptr<HttpClient> RegionHarness::Client(std::chrono::milliseconds timeout) const {
  return std::make_unique<HttpClient>("127.0.0.1", port_, timeout);
}

std::unique_ptr<HttpClient> RegionHarness::PeerClient(std::chrono::milliseconds timeout) const {
  return std::make_unique<HttpClient>("127.0.0.1", peer_port_, timeout);
}

std::string RegionHarness::PeerServeLog() const { return ReadWholeFile(peer_log_path()); }

void RegionHarness::TerminatePeer() {
  if (peer_) peer_->Terminate(std::chrono::seconds(10));
  peer_.reset();
  peer_region_.clear();  // the port is kept: a restarted peer listens where it did
}

db::PgConnection* RegionHarness::Db() {
  if (db_ && !db_->IsBroken()) return db_.get();
  db_.reset();
  auto c = db::PgConnection::Connect(conninfo_, std::chrono::seconds(10));
  if (!c.ok()) {
    ADD_FAILURE() << "connecting to the test database: " << c.status().message();
    return nullptr;
  }
  db_ = std::move(*c);
  return db_.get();
}

std::optional<db::PgResult> RegionHarness::Query(const std::string& sql) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto* conn = Db();
    if (!conn) return std::nullopt;
    auto r = conn->Exec(sql);
    if (r.ok()) return std::move(*r);
    // The server restarted under our connection (outage tests): one more try on a new one.
    if (attempt == 0 && conn->IsBroken()) continue;
    ADD_FAILURE() << sql << ": " << r.status().message();
    return std::nullopt;
  }
  return std::nullopt;
}

int64_t RegionHarness::Count(const std::string& sql) {
  auto r = Query(sql);
  if (!r) return -1;
  if (r->rows() != 1 || r->columns() != 1 || r->IsNull(0, 0)) {
    ADD_FAILURE() << sql << ": expected one value, got " << r->rows() << " rows";
    return -1;
  }
  return r->GetInt(0, 0);
}

int64_t RegionHarness::PollbookRows(const std::string& voter_id) {
  return Count("SELECT count(*) FROM pollbook WHERE voter_hash = '\\x" + VoterHashHex(voter_id) +
               "'::bytea");
}

int64_t RegionHarness::BallotsWithReceipt(const std::string& receipt_hex) {
  for (char c : receipt_hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      ADD_FAILURE() << "not a receipt: " << receipt_hex;
      return -1;
    }
  }
  return Count("SELECT count(*) FROM ballots WHERE receipt = '\\x" + receipt_hex + "'::bytea");
}

std::vector<std::string> RegionHarness::Column(const std::string& sql) {
  std::vector<std::string> out;
  auto r = Query(sql);
  if (!r) return out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->Get(i, 0));
  return out;
}

std::vector<std::string> RegionHarness::PollbookHashes() {
  return Column("SELECT encode(voter_hash, 'hex') FROM pollbook");
}

std::vector<std::string> RegionHarness::BallotReceipts() {
  return Column("SELECT encode(receipt, 'hex') FROM ballots");
}

std::string RegionHarness::VoterHashHex(const std::string& voter_id) const {
  if (!hasher_) {
    ADD_FAILURE() << "the region has no keys yet";
    return "";
  }
  return ToHex(hasher_->Hash(voter_id));
}

AssertionResult RegionHarness::CheckBallotBoxConsistent() {
  const int64_t pollbook = Count("SELECT count(*) FROM pollbook");
  const int64_t ballots = Count("SELECT count(*) FROM ballots");
  if (pollbook < 0 || ballots < 0) return AssertionFailure() << "cannot count the tables";
  if (pollbook != ballots) {
    return AssertionFailure() << pollbook << " pollbook rows but " << ballots << " ballots";
  }
  const int64_t bad_batches = Count(
      "SELECT count(*) FROM batches t WHERE t.ballot_count <> "
      "(SELECT count(*) FROM ballots b WHERE b.shard = t.shard AND b.seq = t.seq)");
  if (bad_batches != 0) {
    return AssertionFailure() << bad_batches << " batches do not hold their ballot_count ballots";
  }
  const int64_t empty_batches = Count("SELECT count(*) FROM batches WHERE ballot_count < 1");
  if (empty_batches != 0) return AssertionFailure() << empty_batches << " empty batches";
  const int64_t bad_shards = Count(
      "SELECT count(*) FROM shards s WHERE "
      "s.seq <> (SELECT count(*) FROM batches t WHERE t.shard = s.shard) OR "
      "s.seq <> (SELECT coalesce(max(seq), 0) FROM batches t WHERE t.shard = s.shard) OR "
      "(s.seq > 0 AND s.head IS DISTINCT FROM "
      " (SELECT head FROM batches t WHERE t.shard = s.shard AND t.seq = s.seq))");
  if (bad_shards != 0) {
    return AssertionFailure() << bad_shards
                              << " shards whose head or sequence does not match their batches";
  }
  const int64_t orphans = Count(
      "SELECT count(*) FROM batches t WHERE NOT EXISTS "
      "(SELECT 1 FROM shards s WHERE s.shard = t.shard)");
  if (orphans != 0) return AssertionFailure() << orphans << " batches of unknown shards";
  return AssertionSuccess();
}

AssertionResult RegionHarness::WaitTallierCaughtUp(std::chrono::milliseconds timeout,
                                                   nlohmann::json* votes_out, bool peer) {
  HttpClient client("127.0.0.1", peer ? peer_port_ : port_, std::chrono::seconds(5));
  std::string why = "not checked yet";
  const bool ok = Eventually(
      [&] {
        Response health = client.Get("/health");
        if (health.status != 200 || !health.json.is_object()) {
          why = "GET /health: " + health.Describe();
          return false;
        }
        const auto& tallier = health.json["checks"]["tallier"];
        if (!tallier.is_object() || tallier.value("ok", false) != true ||
            health.json.value("tallier_lag_batches", int64_t{-1}) != 0) {
          why = "the tallier is not caught up: " + health.body;
          return false;
        }
        // Its verified heads are the database's heads, shard by shard.
        std::map<std::string, std::pair<int64_t, std::string>> verified;
        for (const auto& h : health.json.value("chain_heads", nlohmann::json::array())) {
          verified[h.value("shard", "")] = {h.value("seq", int64_t{-1}), h.value("head", "")};
        }
        auto shards = Query("SELECT shard, seq, encode(head, 'hex') FROM shards WHERE seq > 0");
        if (!shards) {
          why = "cannot read the shards table";
          return false;
        }
        for (int i = 0; i < shards->rows(); ++i) {
          auto it = verified.find(std::string(shards->Get(i, 0)));
          if (it == verified.end() || it->second.first != shards->GetInt(i, 1) ||
              it->second.second != shards->Get(i, 2)) {
            why = "shard " + std::string(shards->Get(i, 0)) + " is at batch " +
                  std::string(shards->Get(i, 1)) + " in the database; the tallier verified " +
                  health.body;
            return false;
          }
        }
        Response votes = client.Get("/votes");
        const int64_t ballots = Count("SELECT count(*) FROM ballots");
        if (votes.status != 200 || votes.json.value("total_count", int64_t{-1}) != ballots) {
          why = "GET /votes does not count the " + std::to_string(ballots) +
                " ballots of the database: " + votes.Describe().substr(0, 300);
          return false;
        }
        if (votes_out) *votes_out = votes.json;
        return true;
      },
      timeout);
  if (ok) return AssertionSuccess();
  return AssertionFailure() << why << "\nserve log:\n"
                            << os::TailOfFile(peer ? peer_log_path() : serve_log_path(), 3000);
}

}  // namespace landslide::testing
