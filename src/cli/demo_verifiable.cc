// The end of `landslide demo` for a verifiable election (docs/RECORD.md): what the trustees and
// any observer do once voting closes.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/demo_steps.h"
#include "os/files.h"
#include "os/process.h"
#include "os/subcommand.h"
#include "record/manifest.h"

namespace landslide::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kDecryptingTrustees = 3;  // of the 5 the ceremony made; any 3 decrypt

// The independent verifier, found beside the source tree the binary was built in (build/ under
// the repository) or under the working directory.
std::optional<fs::path> FindVerifier() {
  const fs::path self = fs::path(os::SelfPath()).parent_path();
  for (const fs::path& root : {self.parent_path(), self, fs::current_path()}) {
    const fs::path candidate = root / "verifier" / "verify.js";
    std::error_code ec;
    if (fs::exists(candidate, ec) && fs::exists(root / "verifier" / "node_modules", ec)) {
      return candidate;
    }
  }
  return std::nullopt;
}

Result<json> ReadJson(const fs::path& path) {
  auto text = os::ReadWholeFile(path);
  if (!text.ok()) return text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::Internal(path.string() + " is not JSON");
  return j;
}

// results.json against the simulation's counted_by_state, using the manifest's candidate order.
Status CompareWithSimulation(const fs::path& record, const std::string& report_path,
                             const json& results) {
  auto manifest_bytes = os::ReadWholeFile(record / "manifest.json");
  if (!manifest_bytes.ok()) return manifest_bytes.status();
  auto manifest = record::ParseManifest(*manifest_bytes);
  if (!manifest.ok()) return manifest.status();
  auto report = ReadJson(report_path);
  if (!report.ok()) return report.status();
  const json& counted = (*report)["counted_by_state"];
  int64_t differences = 0;
  std::string first;
  for (const auto& contest : manifest->contests) {
    const json& counts = results["counts"][contest.jurisdiction];
    for (size_t c = 0; c < contest.candidates.size(); ++c) {
      const std::string& name = contest.candidates[c];
      int64_t want = 0;
      if (counted.contains(contest.jurisdiction) && counted[contest.jurisdiction].contains(name)) {
        want = counted[contest.jurisdiction][name].get<int64_t>();
      }
      const int64_t got = counts.is_array() && c < counts.size() ? counts[c].get<int64_t>() : -1;
      if (got != want) {
        if (differences++ == 0) {
          first = contest.jurisdiction + " " + name + ": decrypted " + std::to_string(got) +
                  ", simulate counted " + std::to_string(want);
        }
      }
    }
  }
  if (differences > 0) {
    return Status::Internal(std::to_string(differences) +
                            " counts differ from what simulate was told was counted, first " +
                            first);
  }
  return Status::Ok();
}

void PrintResults(const json& results) {
  int64_t total = 0;
  std::vector<std::pair<std::string, int64_t>> totals;
  for (const auto& [name, n] : results["totals"].items()) {
    totals.emplace_back(name, n.get<int64_t>());
    total += n.get<int64_t>();
  }
  std::sort(totals.begin(), totals.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::printf("\n%-18s %12s %9s\n", "candidate", "votes", "share");
  for (const auto& [name, n] : totals) {
    std::printf("%-18s %12lld %8.2f%%\n", name.c_str(), static_cast<long long>(n),
                total > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
  }
  std::printf("%-18s %12lld   (decrypted by trustees", "total", static_cast<long long>(total));
  for (const auto& t : results["trustees"]) std::printf(" %d", t.get<int>());
  std::printf(")\n");
}

}  // namespace

Status FinishVerifiableElection(const VerifiableEnd& end) {
  int step = end.first_step;
  auto next = [&](const std::string& what) {
    Say(std::to_string(step++) + "/" + std::to_string(end.steps) + " " + what);
  };
  const fs::path record = end.dir / "record";
  const fs::path trustees = end.dir / "trustees";

  next("closing the election: every region refuses ballots from now on");
  LANDSLIDE_RETURN_IF_ERROR(RunStep({"close", "--db", end.db}));

  next("exporting the election record (ballots, chains, credentials, aggregates)");
  LANDSLIDE_RETURN_IF_ERROR(RunStep({"record", "export", "--db", end.db, "--election",
                                     end.election_file, "--out", record.string()}));

  next("three of the five trustees decrypt the aggregates (never a single ballot)");
  auto passphrases = os::ReadWholeFile(trustees / "passphrases.txt");
  if (!passphrases.ok()) return passphrases.status();
  std::vector<std::string> lines;
  for (size_t at = 0; at < passphrases->size();) {
    const size_t nl = passphrases->find('\n', at);
    lines.push_back(passphrases->substr(at, nl == std::string::npos ? nl : nl - at));
    at = nl == std::string::npos ? passphrases->size() : nl + 1;
  }
  if (lines.size() < kDecryptingTrustees) return Status::Internal("too few passphrases");
  for (int t = 1; t <= kDecryptingTrustees; ++t) {
    // In a real election each trustee types theirs on their own machine; the demo holds them all.
    const fs::path pass = trustees / ("passphrase-" + std::to_string(t));
    LANDSLIDE_RETURN_IF_ERROR(
        os::WriteFileAtomically(pass, lines[static_cast<size_t>(t - 1)] + "\n"));
    std::error_code ec;
    fs::permissions(pass, fs::perms::owner_read | fs::perms::owner_write, ec);
    LANDSLIDE_RETURN_IF_ERROR(
        RunStep({"trustee", "decrypt", "--record", record.string(), "--share",
                 (trustees / ("trustee-" + std::to_string(t) + ".share")).string(),
                 "--passphrase-file", pass.string()}));
  }

  next("publishing the results: every partial decryption's proof checked, three combined");
  LANDSLIDE_RETURN_IF_ERROR(RunStep({"results", "publish", "--record", record.string()}));

  next("the independent verifier (JavaScript, @noble/curves; no code shared with the server)");
  auto verifier = FindVerifier();
  if (!verifier) {
    std::printf(
        "the verifier is not installed here (verifier/ with its node_modules); run it with:\n"
        "  node verifier/verify.js %s\n",
        record.c_str());
  } else {
    std::printf("$ node %s %s\n", verifier->c_str(), record.c_str());
    std::fflush(stdout);
    os::ProcessOptions o;
    o.argv = {"node", verifier->string(), record.string()};
    o.new_process_group = false;
    auto p = os::Process::Spawn(o);
    if (!p.ok()) return p.status();
    auto ended = p->Wait(std::chrono::hours(24));
    if (!ended.ok()) return ended.status();
    if (!ended->success()) {
      return Status::Internal("the independent verifier refused the record (" + ended->ToString() +
                              ")");
    }
  }

  auto results = ReadJson(record / "results.json");
  if (!results.ok()) return results.status();
  Status same = CompareWithSimulation(record, end.simulate_report, *results);
  Say("outcome");
  PrintResults(*results);
  if (!same.ok()) return same;
  std::printf(
      "every state's decrypted count equals what simulate was told was counted, candidate by "
      "candidate\nthe election record: %s (verify it yourself: node verifier/verify.js %s)\n",
      record.c_str(), record.c_str());
  return Status::Ok();
}

}  // namespace landslide::cli
