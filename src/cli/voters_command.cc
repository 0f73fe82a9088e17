// `landslide voters generate` (a mock registry CSV) and `landslide voters import` (a registry
// CSV into a database, as keyed hashes and jurisdictions only).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "common/time.h"
#include "config/election_file.h"
#include "crypto/ballot_crypto.h"
#include "crypto/keys.h"
#include "db/pg.h"
#include "db/registry_store.h"
#include "domain/election.h"
#include "os/files.h"
#include "record/manifest.h"
#include "sim/voter_generator.h"

namespace landslide::cli {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Error text from lower layers (libpq's has tabs and line breaks) as one sentence on one line.
std::string Sentence(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty() || (out.back() != '.' && out.back() != '?' && out.back() != '!')) out += '.';
  return out;
}

// A single self-overwriting status line on stderr, redrawn at most ten times a second; silent
// when stderr is not a terminal (logs and pipes get the summary line instead).
class ProgressLine {
 public:
  ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1), start_(SteadyClock::now()) {}
  bool enabled() const { return enabled_; }

  void Show(const std::string& phase, int64_t done, int64_t total, bool force = false) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (phase != phase_) {
      // The first report of a phase arrives after some work; rates count from there.
      const bool first = phase_.empty();
      phase_ = phase;
      phase_start_ = first ? start_ : now;
      phase_done_ = first ? 0 : done;
    } else if (!force && now - last_ < std::chrono::milliseconds(100)) {
      return;
    }
    last_ = now;
    const double secs = std::chrono::duration<double>(now - phase_start_).count();
    const double rate = secs > 0.05 ? static_cast<double>(done - phase_done_) / secs : 0;
    if (total > 0) {
      std::fprintf(stderr, "\r\033[K%s: %lld/%lld rows (%.0f%%, %.0f rows/s)", phase.c_str(),
                   static_cast<long long>(done), static_cast<long long>(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total), rate);
    } else {
      std::fprintf(stderr, "\r\033[K%s: %lld rows (%.0f rows/s)", phase.c_str(),
                   static_cast<long long>(done), rate);
    }
    std::fflush(stderr);
  }
  // Ends the status line so that what follows starts on a fresh line.
  void Finish() {
    if (enabled_ && last_ != SteadyClock::time_point{}) std::fputs("\r\033[K", stderr);
  }
  double Elapsed() const { return SecondsSince(start_); }

 private:
  bool enabled_;
  SteadyClock::time_point start_;
  SteadyClock::time_point last_{};
  SteadyClock::time_point phase_start_{};
  int64_t phase_done_ = 0;
  std::string phase_;
};

struct GenerateArgs {
  int64_t count = sim::kDefaultVoterCount;
  uint64_t seed = sim::kDefaultVoterSeed;
  std::string out = "-";
};

// Writes to FILE.tmp and renames it into place, so an interrupted run never leaves a
// truncated registry that looks complete. Anything but a regular file (/dev/null, a pipe) is
// written directly: renaming over it would replace the device with a file.
int RunGenerate(const GenerateArgs& args) {
  std::error_code ec;
  const auto type = std::filesystem::status(args.out, ec).type();
  const bool special =
      type != std::filesystem::file_type::regular && type != std::filesystem::file_type::not_found;
  const bool to_stdout = args.out == "-";
  const bool via_tmp = !to_stdout && !special;
  const std::string tmp = via_tmp ? args.out + ".tmp" : args.out;
  // The file is closed by hand below (its close error matters); stdout is never closed.
  std::FILE* out = stdout;
  if (!to_stdout) {
    out = std::fopen(tmp.c_str(), "wb");  // NOLINT(cppcoreguidelines-owning-memory): closed below
    if (out == nullptr) {
      return Fail(1, Sentence("cannot create " + tmp + ": " +
                              std::error_code(errno, std::generic_category()).message()));
    }
  }
  ProgressLine progress;
  Status s = sim::GenerateVoters({args.count, args.seed}, out, [&](int64_t done) {
    progress.Show("generating", done, args.count);
  });
  // NOLINTNEXTLINE(cppcoreguidelines-owning-memory): the fopen above, closed once here
  if (!to_stdout && std::fclose(out) != 0 && s.ok()) {
    s = Status::Unavailable("cannot write " + tmp);
  }
  progress.Finish();
  if (s.ok() && via_tmp) {
    std::filesystem::rename(tmp, args.out, ec);
    if (ec) {
      s = Status::Unavailable("cannot rename " + tmp + " to " + args.out + ": " + ec.message());
    }
  }
  if (!s.ok()) {
    if (via_tmp) std::filesystem::remove(tmp, ec);
    return Fail(s.code() == Code::kInvalidArgument ? 2 : 1, Sentence(s.message()));
  }
  const double secs = progress.Elapsed();
  const std::string where = to_stdout ? "to stdout" : "into " + args.out;
  std::fprintf(stderr, "generated %lld voters (seed %llu) %s in %.1f s\n",
               static_cast<long long>(args.count), static_cast<unsigned long long>(args.seed),
               where.c_str(), secs);
  return 0;
}

struct ImportArgs {
  std::string db;
  std::string keys;
  std::string election;
  std::string trustees;  // trustees.json (verifiable elections)
  std::string file;
};

int RunImport(const ImportArgs& args) {
  if (Status s = InitCrypto(); !s.ok()) return Fail(1, Sentence(s.message()));
  // Only the registry key is needed: the import never touches ballots or signatures.
  auto keys = LoadKeys(args.keys, SecretKeys::kNone);
  if (!keys.ok()) {
    return Fail(
        1, Sentence("cannot load the keys from " + args.keys + ": " + keys.status().message()));
  }
  std::optional<Election> from_file;
  if (!args.election.empty()) {
    auto loaded = LoadElectionFile(args.election);
    if (!loaded.ok()) {
      return Fail(1, Sentence("cannot use the election file: " + loaded.status().message()));
    }
    from_file = std::move(*loaded);
  }
  const Election& election = from_file ? *from_file : Election::Default2016();
  std::optional<verifiable::PublicCeremony> trustees;
  if (election.verifiable()) {
    const std::string path =
        args.trustees.empty()
            ? (std::filesystem::path(args.keys) / "trustees" / "trustees.json").string()
            : args.trustees;
    auto text = os::ReadWholeFile(path);
    if (!text.ok()) {
      return Fail(
          1, Sentence("a verifiable election needs the trustees' public keys: cannot read " + path +
                      " (run `landslide trustees init`, or pass --trustees)"));
    }
    auto ceremony = record::ParseCeremony(*text, election.name());
    if (!ceremony.ok()) return Fail(1, Sentence(path + ": " + ceremony.status().message()));
    trustees = std::move(*ceremony);
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.file != "-") {
    file.open(args.file, std::ios::binary);
    if (!file) {
      return Fail(1, Sentence("cannot open " + args.file + ": " +
                              std::error_code(errno, std::generic_category()).message()));
    }
    in = &file;
  }
  auto conn = db::PgConnection::Connect(args.db, std::chrono::seconds(10));
  if (!conn.ok()) return Fail(1, Sentence(conn.status().message()));
  // Keeps the schema's "already exists, skipping" notices off the terminal.
  (void)(*conn)->Exec("SET client_min_messages TO warning");

  ProgressLine progress;
  VoterHasher hasher(keys->registry_key);
  auto report = db::ImportRegistry(
      **conn, hasher, election, *in,
      [&](const db::ImportProgress& p) { progress.Show(std::string(p.phase), p.done, p.total); },
      trustees ? &*trustees : nullptr);
  progress.Finish();
  const std::string name = args.file == "-" ? "stdin" : args.file;
  if (!report.ok()) {
    return Fail(1, Sentence("cannot import " + name + ": " + report.status().message()));
  }
  std::printf(
      "imported %s: %lld rows, %lld new voters, %lld already registered; the registry now has "
      "%lld voters (generation %lld); %.1f s\n",
      name.c_str(), static_cast<long long>(report->rows_read),
      static_cast<long long>(report->inserted), static_cast<long long>(report->already_present),
      static_cast<long long>(report->registry_voters), static_cast<long long>(report->generation),
      report->seconds);
  return 0;
}

}  // namespace

void AddVotersCommands(CLI::App& app, CommandContext& ctx) {
  auto* voters = app.add_subcommand("voters", "Generate and import voter registries");
  voters->require_subcommand(1);

  auto gen_args = std::make_shared<GenerateArgs>();
  auto* gen = voters->add_subcommand(
      "generate",
      "Write a mock registry as CSV id,first_name,last_name,address,state; states are drawn in "
      "proportion to 2016 turnout and the same seed always gives the same file");
  gen->add_option("--count", gen_args->count, "Number of voters (default: 1% of 2016 turnout)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  gen->add_option("--seed", gen_args->seed, "Random seed")->capture_default_str();
  gen->add_option("--out", gen_args->out, "Output file, or - for stdout")->capture_default_str();
  gen->callback([&ctx, gen_args] { ctx.exit_code = RunGenerate(*gen_args); });

  auto imp_args = std::make_shared<ImportArgs>();
  auto* imp = voters->add_subcommand(
      "import",
      "Load a registry CSV into the database as keyed voter hashes and jurisdictions; every "
      "row is checked first and a file with any bad row loads nothing");
  imp->add_option("--db", imp_args->db, "libpq connection string of the primary")->required();
  imp->add_option("--keys", imp_args->keys, "Keys directory (from `landslide keys init`)")
      ->required();
  imp->add_option("--election", imp_args->election,
                  "Election definition file (default: the built-in 2016 election)");
  imp->add_option("--trustees", imp_args->trustees,
                  "The key ceremony's trustees.json, for a verifiable election (default: "
                  "KEYS/trustees/trustees.json)");
  imp->add_option("file", imp_args->file, "Registry CSV file, or - for stdin")->required();
  imp->callback([&ctx, imp_args] { ctx.exit_code = RunImport(*imp_args); });
}

}  // namespace landslide::cli
