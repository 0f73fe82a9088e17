#include "support/verifiable_record.h"

#include <fstream>

#include "os/files.h"
#include "os/process.h"

namespace landslide::testing {

namespace fs = std::filesystem;

Result<nlohmann::json> CloseAndDecrypt(RegionHarness& region, const fs::path& record,
                                       const std::vector<int>& trustees) {
  if (auto r = region.RunCli({"close", "--db", region.conninfo()}); !r) {
    return Status::Internal(r.message());
  }
  if (auto r = region.RunCli({"record", "export", "--db", region.conninfo(), "--election",
                              (region.dir() / "election.json").string(), "--out", record.string()});
      !r) {
    return Status::Internal(r.message());
  }
  const fs::path dir = region.keys_dir() / "trustees";
  std::ifstream passphrases(dir / "passphrases.txt");
  std::vector<std::string> lines;
  for (std::string line; std::getline(passphrases, line);) lines.push_back(line);
  for (int t : trustees) {
    if (t < 1 || static_cast<size_t>(t) > lines.size()) {
      return Status::InvalidArgument("no trustee " + std::to_string(t));
    }
    const fs::path pass = region.dir() / ("passphrase-" + std::to_string(t));
    std::ofstream(pass) << lines[static_cast<size_t>(t - 1)] << "\n";
    if (auto r = region.RunCli({"trustee", "decrypt", "--record", record.string(), "--share",
                                (dir / ("trustee-" + std::to_string(t) + ".share")).string(),
                                "--passphrase-file", pass.string()});
        !r) {
      return Status::Internal(r.message());
    }
  }
  if (auto r = region.RunCli({"results", "publish", "--record", record.string()}); !r) {
    return Status::Internal(r.message());
  }
  auto text = os::ReadWholeFile(record / "results.json");
  if (!text.ok()) return text.status();
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::Internal("results.json is not JSON");
  return j;
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
