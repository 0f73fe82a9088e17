#include "support/verifiable_record.h"

#include <fstream>

#include "os/files.h"
#include "os/process.h"

namespace landslide::testing {

namespace fs = std::filesystem;

Result<nlohmann::json> CloseAndDecrypt(const DecryptJob& job) {
  auto run = [&](const std::vector<std::string>& args) -> Status {
    auto r = job.run(args);
    return r ? Status::Ok() : Status::Internal(r.message());
  };
  LANDSLIDE_RETURN_IF_ERROR(run({"close", "--db", job.db}));
  LANDSLIDE_RETURN_IF_ERROR(run({"record", "export", "--db", job.db, "--election",
                                 job.election_file.string(), "--out", job.record.string()}));
  std::ifstream passphrases(job.trustees_dir / "passphrases.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(passphrases, line);) lines.push_back(line);
  for (int t : job.trustees) {
    if (t < 1 || static_cast<size_t>(t) > lines.size()) {
      return Status::InvalidArgument("no trustee " + std::to_string(t));
    }
    const fs::path pass = job.record.parent_path() / ("passphrase-" + std::to_string(t));
    std::ofstream(pass) << lines[static_cast<size_t>(t - 1)] << "\n";
    LANDSLIDE_RETURN_IF_ERROR(
        run({"trustee", "decrypt", "--record", job.record.string(), "--share",
             (job.trustees_dir / ("trustee-" + std::to_string(t) + ".share")).string(),
             "--passphrase-file", pass.string()}));
  }
  LANDSLIDE_RETURN_IF_ERROR(run({"results", "publish", "--record", job.record.string()}));
  auto text = os::ReadWholeFile(job.record / "results.json");
  if (!text.ok()) return text.status();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::Internal("results.json is not JSON");
  return j;
}

Result<nlohmann::json> CloseAndDecrypt(RegionHarness& region, const fs::path& record,
                                       const std::vector<int>& trustees) {
  DecryptJob job;
  job.db = region.conninfo();
  job.election_file = region.dir() / "election.json";
  job.trustees_dir = region.keys_dir() / "trustees";
  job.record = record;
  job.trustees = trustees;
  job.run = [&region](const std::vector<std::string>& args) { return region.RunCli(args); };
  return CloseAndDecrypt(job);
}

VerifierRun RunVerifier(const fs::path& record, const fs::path& log) {
  VerifierRun out;
  os::ProcessOptions o;
  o.argv = {"node", std::string(LANDSLIDE_SOURCE_DIR) + "/verifier/verify.js", record.string()};
  o.log_file = log;
  auto p = os::Process::Spawn(o);
  if (!p.ok()) {
    out.log = p.status().message();
    return out;
  }
  auto ended = p->Wait(std::chrono::minutes(10));
  if (ended.ok()) out.exit_code = ended->code;
  auto text = os::ReadWholeFile(log);
  if (text.ok()) out.log = *text;
  return out;
}

}  // namespace landslide::testing
