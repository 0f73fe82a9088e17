// The verifiable scheme's commands refuse what does not apply to them, with one clear sentence
// and the usage exit code, before touching any database.
#include <gtest/gtest.h>

#include <fstream>

#include "config/election_file.h"
#include "domain/election.h"
#include "support/landslide_cli.h"
#include "support/temp_dir.h"

namespace landslide::testing {
namespace {

TEST(VerifiableCli, AuditAndRecordExportRefuseTheOtherScheme) {
  TempDir dir;
  const auto verifiable = dir.path() / "verifiable.json";
  const auto sealed = dir.path() / "sealed.json";
  BallotPolicy policy;
  policy.scheme = BallotScheme::kVerifiable;
  policy.results = ResultsMode::kAfterClose;
  std::ofstream(verifiable) << ElectionToJson(Election::Default2016().WithPolicy(policy));
  std::ofstream(sealed) << ElectionToJson(Election::Default2016());
  const std::string nowhere = "host=127.0.0.1 port=1 dbname=none connect_timeout=1";

  CliRun audit = RunLandslide(
      {"audit", "--db", nowhere, "--keys", dir.path().string(), "--election", verifiable.string()});
  EXPECT_EQ(audit.exit_code, 2) << audit.err;
  EXPECT_NE(audit.err.find("verifier/verify.js"), std::string::npos) << audit.err;

  CliRun record = RunLandslide({"record", "export", "--db", nowhere, "--election", sealed.string(),
                                "--out", (dir.path() / "r").string()});
  EXPECT_EQ(record.exit_code, 2) << record.err;
  EXPECT_NE(record.err.find("sealed"), std::string::npos) << record.err;

  CliRun close = RunLandslide({"close", "--db", nowhere});
  EXPECT_EQ(close.exit_code, 1) << close.err;
}

}  // namespace
}  // namespace landslide::testing
