// The demo's steps (internal to cli/): each one a real subcommand run as a child, printed first
// so that a reader can repeat it by hand.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace landslide::cli {

// "\n== LINE", flushed.
void Say(const std::string& line);
// Runs `landslide ARGS...` to completion with our stdout and stderr.
Status RunStep(const std::vector<std::string>& args);

struct VerifiableEnd {
  std::filesystem::path dir;  // the demo's directory (trustees/ and record/ go there)
  std::string db;             // conninfo of the primary
  std::string election_file;
  std::string simulate_report;  // what simulate was told was counted, per state and candidate
  int first_step = 0, steps = 0;
};

// After the votes of a verifiable election: close, export the record, three of five trustees
// decrypt, publish the results, run the independent verifier, and check the decrypted counts
// against what simulate was told was counted, state by state and candidate by candidate.
// Prints the results table.
Status FinishVerifiableElection(const VerifiableEnd& end);

}  // namespace landslide::cli
