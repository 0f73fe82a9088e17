// The registry import against a real PostgreSQL, and the `voters` commands of the built binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/election_file.h"
#include "crypto/ballot_crypto.h"
#include "crypto/keys.h"
#include "db/pg.h"
#include "db/registry_store.h"
#include "domain/election.h"
#include "sim/voter_generator.h"
#include "support/landslide_cli.h"
#include "support/pg_harness.h"
#include "support/temp_dir.h"

namespace landslide {
namespace {

using db::PgConnection;

struct Voter {
  std::string id, first, last, address, state;
};

std::vector<Voter> ParseVoters(const std::string& csv) {
  std::vector<Voter> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string x;
    while (std::getline(fields, x, ',')) f.push_back(x);
    if (f.size() == 5) out.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return out;
}

std::string ToCsv(const std::vector<Voter>& voters) {
  std::string csv = std::string(db::kRegistryHeader) + "\n";
  for (const auto& v : voters) {
    csv += v.id + "," + v.first + "," + v.last + "," + v.address + "," + v.state + "\n";
  }
  return csv;
}

std::string GenerateCsv(int64_t count, uint64_t seed) {
  auto csv = sim::GenerateVotersToString({count, seed});
  EXPECT_TRUE(csv.ok()) << csv.status().message();
  return csv.ok() ? *csv : std::string();
}

class RegistryImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    std::string name =
        std::string("registry_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    conninfo_ = testing::TestPostgres::Shared().CreateDatabase(name);
    auto c = PgConnection::Connect(conninfo_, std::chrono::seconds(10));
    ASSERT_TRUE(c.ok()) << c.status().message();
    conn_ = std::move(*c);
    ASSERT_TRUE(conn_->Exec("SET client_min_messages TO warning").ok());
  }

  Result<db::ImportReport> Import(const std::string& csv) {
    std::istringstream in(csv);
    return db::ImportRegistry(*conn_, hasher_, election_, in);
  }

  int64_t Count(const std::string& sql) {
    auto r = conn_->Exec(sql);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() && r->rows() == 1 ? r->GetInt(0, 0) : -1;
  }

  int64_t Generation() {
    auto g = db::RegistryGeneration(*conn_);
    EXPECT_TRUE(g.ok()) << g.status().message();
    return g.ok() ? *g : -1;
  }

  // Every user table of the database as COPY text, to look for what must never be stored.
  std::string DumpAllTables() {
    auto tables = conn_->Exec(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) "
        "FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', "
        "'information_schema') AND table_type = 'BASE TABLE'");
    EXPECT_TRUE(tables.ok());
    std::string dump;
    for (int i = 0; tables.ok() && i < tables->rows(); ++i) {
      Status s = conn_->CopyOut("COPY " + std::string(tables->Get(i, 0)) + " TO STDOUT",
                                [&](std::string_view row) {
                                  dump += row;
                                  dump += '\n';
                                });
      EXPECT_TRUE(s.ok()) << s.message();
    }
    return dump;
  }

  std::string conninfo_;
  std::unique_ptr<PgConnection> conn_;
  const Election& election_ = Election::Default2016();
  VoterHasher hasher_{std::array<uint8_t, 32>{7, 7, 7, 1, 2, 3}};
};

TEST_F(RegistryImportTest, StoresOnlyKeyedHashesAndJurisdictions) {
  const std::string csv = GenerateCsv(1000, 11);
  auto report = Import(csv);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->rows_read, 1000);
  EXPECT_EQ(report->inserted, 1000);
  EXPECT_EQ(report->already_present, 0);
  EXPECT_EQ(report->registry_voters, 1000);
  EXPECT_EQ(report->generation, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM registry"), 1000);
  EXPECT_EQ(Count("SELECT voters FROM registry_meta"), 1000);
  EXPECT_EQ(Generation(), 1);

  const auto voters = ParseVoters(csv);
  ASSERT_EQ(voters.size(), 1000u);
  // No row holds an id's raw bytes, and no table holds an id, a name or an address in clear.
  std::vector<std::string_view> ids;
  for (const auto& v : voters) ids.push_back(v.id);
  auto raw = conn_->ExecParams(
      "SELECT count(*) FROM registry r, unnest($1::text[]) AS id "
      "WHERE r.voter_hash = convert_to(id, 'UTF8') "
      "OR position(convert_to(id, 'UTF8') IN r.voter_hash) > 0",
      {db::TextArrayParam(ids)});
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  EXPECT_EQ(raw->GetInt(0, 0), 0);
  const std::string dump = DumpAllTables();
  EXPECT_NE(dump.find(election_.jurisdictions()[0].code), std::string::npos);  // sanity
  for (const auto& v : voters) {
    ASSERT_EQ(dump.find(v.id), std::string::npos) << "an id is stored in clear";
    ASSERT_EQ(dump.find(v.address), std::string::npos) << "an address is stored";
    ASSERT_EQ(dump.find("," + v.last + ","), std::string::npos) << "a name is stored";
  }
  // The registry's columns: the keyed hash, the jurisdiction, and a public credential that only
  // a verifiable election fills in (this one is sealed).
  auto columns = Count(
      "SELECT count(*) FROM information_schema.columns WHERE table_name = 'registry' AND "
      "column_name NOT IN ('voter_hash', 'jurisdiction', 'credential')");
  EXPECT_EQ(columns, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM registry WHERE credential IS NOT NULL"), 0);

  db::RegistryLoadInfo info;
  auto index = db::LoadRegistryIndex(*conn_, election_, &info);
  ASSERT_TRUE(index.ok()) << index.status().message();
  EXPECT_EQ(index->size(), 1000u);
  EXPECT_EQ(info.generation, 1);
  EXPECT_EQ(info.skipped, 0);
  for (const auto& v : voters) {
    auto j = index->Find(hasher_.Hash(v.id));
    ASSERT_TRUE(j.has_value()) << "a voter is missing from the index";
    EXPECT_EQ(*j, *election_.FindJurisdiction(v.state));
  }
  // A different key finds nobody: the hash is keyed.
  VoterHasher other(std::array<uint8_t, 32>{9});
  EXPECT_FALSE(index->Find(other.Hash(voters[0].id)).has_value());
}

TEST_F(RegistryImportTest, ImportingTheSameFileTwiceAddsNothing) {
  const std::string csv = GenerateCsv(1000, 12);
  ASSERT_TRUE(Import(csv).ok());
  auto again = Import(csv);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->rows_read, 1000);
  EXPECT_EQ(again->inserted, 0);
  EXPECT_EQ(again->already_present, 1000);
  EXPECT_EQ(again->registry_voters, 1000);
  EXPECT_EQ(Count("SELECT count(*) FROM registry"), 1000);
  EXPECT_EQ(Generation(), 1);  // nothing changed, so readers need not reload

  // A file that overlaps: only the new voters are added.
  auto voters = ParseVoters(csv);
  auto more = ParseVoters(GenerateCsv(300, 13));
  std::vector<Voter> mixed(voters.begin(), voters.begin() + 500);
  mixed.insert(mixed.end(), more.begin(), more.end());
  auto overlap = Import(ToCsv(mixed));
  ASSERT_TRUE(overlap.ok()) << overlap.status().message();
  EXPECT_EQ(overlap->inserted, 300);
  EXPECT_EQ(overlap->already_present, 500);
  EXPECT_EQ(overlap->registry_voters, 1300);
  EXPECT_EQ(Generation(), 2);
}

TEST_F(RegistryImportTest, BadRowsAreListedByLineAndNothingIsLoaded) {
  auto good = ParseVoters(GenerateCsv(20, 14));
  ASSERT_TRUE(Import(ToCsv({good.begin(), good.begin() + 10})).ok());

  // Line numbers count the header as line 1.
  std::string csv = std::string(db::kRegistryHeader) + "\n";
  auto row = [](const Voter& v) {
    return v.id + "," + v.first + "," + v.last + "," + v.address + "," + v.state + "\n";
  };
  csv += row(good[10]);                                   // 2
  csv += "0OIl0-abcde-fghij,Ann,Lee,1 Main Street,CA\n";  // 3: 0, O, I, l are not base58
  csv += row(good[11]);                                   // 4
  Voter unknown = good[12];
  unknown.state = "XX";
  csv += row(unknown);                                                       // 5
  csv += good[13].id + ",Ann,Lee,CA\n";                                      // 6: four columns
  csv += row(good[14]);                                                      // 7
  csv += good[10].id + ",Other,Person,2 Oak Road," + good[15].state + "\n";  // 8: repeats 2
  csv += row(good[16]);                                                      // 9
  csv += "\n";                    // 10: blank, with a row after it
  csv += row(good[17]) + "\n\n";  // 11, then blank lines at the end, which are fine

  auto r = Import(csv);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("5 bad rows"), std::string::npos) << msg;
  for (const char* line : {"line 3: ", "line 5: ", "line 6: ", "line 8: ", "line 10: "}) {
    EXPECT_NE(msg.find(line), std::string::npos) << line << " missing from: " << msg;
  }
  for (const char* line :
       {"line 2: ", "line 4: ", "line 7: ", "line 9: ", "line 11: ", "line 12: "}) {
    EXPECT_EQ(msg.find(line), std::string::npos) << line << " wrongly in: " << msg;
  }
  EXPECT_NE(msg.find("\"XX\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 2"), std::string::npos) << "the repeat should name its first line";
  EXPECT_EQ(msg.find(good[10].id), std::string::npos) << "ids must not be echoed";
  EXPECT_EQ(Count("SELECT count(*) FROM registry"), 10);
  EXPECT_EQ(Generation(), 1);
}

TEST_F(RegistryImportTest, ManyBadRowsAreSummarized) {
  std::string csv = std::string(db::kRegistryHeader) + "\n";
  for (int i = 0; i < 30; ++i) csv += "not-an-id,A,B,C,CA\n";
  auto r = Import(csv);
  ASSERT_FALSE(r.ok());
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("30 bad rows"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 21: "), std::string::npos) << msg;
  EXPECT_EQ(msg.find("line 22: "), std::string::npos) << msg;
  EXPECT_NE(msg.find("and 10 more"), std::string::npos) << msg;
}

TEST_F(RegistryImportTest, HeaderMustMatch) {
  auto r = Import("id,first,last,address,state\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 1"), std::string::npos);
  EXPECT_FALSE(Import("").ok());
  // Only the header: nothing to add, and not an error. CRLF line ends are accepted.
  auto empty = Import(std::string(db::kRegistryHeader) + "\r\n");
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->rows_read, 0);
}

TEST_F(RegistryImportTest, AVoterWhoseStateChangedIsAnErrorAndNothingIsLoaded) {
  auto voters = ParseVoters(GenerateCsv(100, 15));
  ASSERT_TRUE(Import(ToCsv(voters)).ok());
  auto fresh = ParseVoters(GenerateCsv(50, 16));
  std::vector<Voter> next = fresh;
  Voter moved = voters[30];
  moved.state = moved.state == "TX" ? "CA" : "TX";
  next.insert(next.begin() + 20, moved);  // line 22 (header is line 1)
  auto r = Import(ToCsv(next));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("line 22: this voter is already registered in " + voters[30].state),
            std::string::npos)
      << msg;
  EXPECT_EQ(Count("SELECT count(*) FROM registry"), 100);
  EXPECT_EQ(Count("SELECT voters FROM registry_meta"), 100);
  EXPECT_EQ(Generation(), 1);
}

TEST_F(RegistryImportTest, LoadSkipsJurisdictionsOutsideTheElection) {
  ASSERT_TRUE(Import(GenerateCsv(10, 17)).ok());
  ASSERT_TRUE(conn_
                  ->Exec("INSERT INTO registry VALUES ('\\x00112233445566778899aabbccddeeff', "
                         "'ATLANTIS')")
                  .ok());
  db::RegistryLoadInfo info;
  auto index = db::LoadRegistryIndex(*conn_, election_, &info);
  ASSERT_TRUE(index.ok()) << index.status().message();
  EXPECT_EQ(index->size(), 10u);
  EXPECT_EQ(info.skipped, 1);
}

// ---- the binary ----

using testing::CliRun;

// Runs `landslide <args>`, capturing stdout; stderr goes to `err_file` when one is given.
CliRun RunBinary(const std::vector<std::string>& args, const std::string& err_file = "",
                 const std::filesystem::path& stdin_file = "") {
  testing::CliRunOptions options;
  options.stdin_file = stdin_file;
  CliRun run = testing::RunLandslide(args, options);
  if (!err_file.empty()) std::ofstream(err_file, std::ios::trunc) << run.err;
  return run;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using testing::TempDir;

TEST(VotersCli, GenerateIsDeterministic) {
  CliRun a = RunBinary({"voters", "generate", "--count", "1000", "--seed", "7"});
  CliRun b = RunBinary({"voters", "generate", "--count", "1000", "--seed", "7"});
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_EQ(b.exit_code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(std::count(a.out.begin(), a.out.end(), '\n'), 1001);
  EXPECT_EQ(a.out, GenerateCsv(1000, 7));
  CliRun c = RunBinary({"voters", "generate", "--count", "1000", "--seed", "8"});
  EXPECT_NE(a.out, c.out);

  TempDir dir;
  const auto file = dir.path() / "voters.csv";
  CliRun d =
      RunBinary({"voters", "generate", "--count", "1000", "--seed", "7", "--out", file.string()});
  ASSERT_EQ(d.exit_code, 0);
  EXPECT_EQ(d.out, "");
  EXPECT_EQ(ReadFile(file), a.out);
  EXPECT_FALSE(std::filesystem::exists(file.string() + ".tmp"));
}

// `--out /dev/null` once replaced the device with a regular file (write FILE.tmp, rename over
// FILE). A FIFO stands in for the device here: it must still be a FIFO afterwards, and its reader
// must have received the registry.
TEST(VotersCli, GenerateWritesThroughSpecialFilesInsteadOfReplacingThem) {
  TempDir dir;
  const auto fifo = dir.path() / "pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Both ends held open by the test (a few KB fit in the pipe's buffer), so nothing blocks even
  // if the command never opens the FIFO.
  const int read_end = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(read_end, 0);
  const int write_end = open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(write_end, 0);
  CliRun run =
      RunBinary({"voters", "generate", "--count", "100", "--seed", "7", "--out", fifo.string()});
  close(write_end);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = read(read_end, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  close(read_end);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_EQ(got, GenerateCsv(100, 7));
  EXPECT_FALSE(std::filesystem::exists(fifo.string() + ".tmp"));
}

TEST(VotersCli, BadUsageExitsWith2) {
  EXPECT_EQ(RunBinary({"voters", "generate", "--count", "-5"}).exit_code, 2);
  EXPECT_EQ(RunBinary({"voters", "generate", "--count", "lots"}).exit_code, 2);
  EXPECT_EQ(RunBinary({"voters", "generate", "--bogus"}).exit_code, 2);
  EXPECT_EQ(RunBinary({"voters", "import", "somefile.csv"}).exit_code, 2);  // no --db, no --keys
  EXPECT_EQ(RunBinary({"voters", "import", "--db", "x", "--keys", "y"}).exit_code, 2);  // no file
  EXPECT_EQ(RunBinary({"voters"}).exit_code, 2);
}

TEST(VotersCli, ImportLoadsAFileAndRejectsABadOne) {
  ASSERT_TRUE(InitCrypto().ok());
  TempDir dir;
  const std::string conninfo =
      testing::TestPostgres::Shared().CreateDatabase("registry_cli_import");
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(RunBinary({"keys", "init", "--out", keys}).exit_code, 0);
  const auto csv = dir.path() / "voters.csv";
  ASSERT_EQ(
      RunBinary({"voters", "generate", "--count", "1000", "--seed", "3", "--out", csv.string()})
          .exit_code,
      0);

  auto import = [&](const std::string& file) {
    return std::vector<std::string>{"voters", "import", "--db", conninfo, "--keys", keys, file};
  };
  const std::string err = (dir.path() / "err.txt").string();
  CliRun ok = RunBinary(import(csv.string()), err);
  EXPECT_EQ(ok.exit_code, 0) << ReadFile(err);
  EXPECT_NE(ok.out.find("1000 new voters"), std::string::npos) << ok.out;
  EXPECT_EQ(ReadFile(err), "");  // stderr is not a terminal here, and nothing went wrong

  // From stdin, again: nothing new.
  CliRun again = RunBinary(import("-"), err, csv);
  EXPECT_EQ(again.exit_code, 0) << ReadFile(err);
  EXPECT_NE(again.out.find("0 new voters, 1000 already registered"), std::string::npos)
      << again.out;

  // The keys the binary wrote hash ids the way the index expects.
  auto loaded = LoadKeys(keys, SecretKeys::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto conn = PgConnection::Connect(conninfo, std::chrono::seconds(10));
  ASSERT_TRUE(conn.ok());
  auto index = db::LoadRegistryIndex(**conn, Election::Default2016());
  ASSERT_TRUE(index.ok()) << index.status().message();
  VoterHasher hasher(loaded->registry_key);
  for (const auto& v : ParseVoters(ReadFile(csv))) {
    ASSERT_TRUE(index->Find(hasher.Hash(v.id)).has_value());
  }

  const auto bad = dir.path() / "bad.csv";
  std::ofstream(bad) << db::kRegistryHeader << "\nnot-an-id,A,B,C,CA\n";
  CliRun rejected = RunBinary(import(bad.string()), err);
  EXPECT_EQ(rejected.exit_code, 1);
  const std::string message = ReadFile(err);
  EXPECT_NE(message.find("line 2:"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;

  CliRun missing = RunBinary(import((dir.path() / "nope.csv").string()), err);
  EXPECT_EQ(missing.exit_code, 1);
}

TEST(VotersCli, ImportChecksStatesAgainstTheElectionFile) {
  ASSERT_TRUE(InitCrypto().ok());
  TempDir dir;
  const std::string conninfo =
      testing::TestPostgres::Shared().CreateDatabase("registry_cli_election");
  const std::string keys = (dir.path() / "keys").string();
  ASSERT_EQ(RunBinary({"keys", "init", "--out", keys}).exit_code, 0);
  std::string error;
  auto election = Election::Create(
      "Two states", Election::Default2016().opens_at(), Election::Default2016().closes_at(),
      {{"CA", "California", {"A", "B"}}, {"TX", "Texas", {"A", "B"}}}, &error);
  ASSERT_TRUE(election.has_value()) << error;
  const auto election_file = dir.path() / "election.json";
  std::ofstream(election_file) << ElectionToJson(*election);

  auto voters = ParseVoters(GenerateCsv(2, 5));
  voters[0].state = "CA";
  voters[1].state = "NY";
  const auto csv = dir.path() / "voters.csv";
  std::ofstream(csv) << ToCsv(voters);
  auto import = [&](const std::string& election, const std::string& file) {
    return std::vector<std::string>{"voters", "import",     "--db",   conninfo, "--keys",
                                    keys,     "--election", election, file};
  };
  const std::string err = (dir.path() / "err.txt").string();
  CliRun rejected = RunBinary(import(election_file.string(), csv.string()), err);
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(ReadFile(err).find("line 3: the state \"NY\" is not a jurisdiction of Two states"),
            std::string::npos)
      << ReadFile(err);

  voters[1].state = "TX";
  std::ofstream(csv) << ToCsv(voters);
  CliRun ok = RunBinary(import(election_file.string(), csv.string()), err);
  EXPECT_EQ(ok.exit_code, 0) << ReadFile(err);
  EXPECT_NE(ok.out.find("2 new voters"), std::string::npos) << ok.out;

  CliRun no_file = RunBinary(import((dir.path() / "none.json").string(), csv.string()), err);
  EXPECT_EQ(no_file.exit_code, 1);
}

}  // namespace
}  // namespace landslide
