#include "support/landslide_cli.h"

#include <csignal>
#include <utility>

#include "os/files.h"
#include "os/subcommand.h"
#include "support/temp_dir.h"

namespace landslide::testing {

CliRun RunLandslide(const std::vector<std::string>& args, const CliRunOptions& options) {
  CliRun run;
  TempDir dir("landslide-cli");
  if (dir.path().empty()) {
    run.err = "cannot create a temporary directory";
    return run;
  }
  os::SubcommandOptions o;
  o.binary = LANDSLIDE_BINARY;
  o.args = args;
  o.process.log_file = dir.path() / "out";
  if (!options.merge_stderr) o.process.stderr_file = dir.path() / "err";
  o.process.stdin_file = options.stdin_file;
  auto exit = os::RunSubcommand(o, options.timeout);
  if (auto out = os::ReadWholeFile(o.process.log_file); out.ok()) run.out = std::move(*out);
  if (auto err = os::ReadWholeFile(o.process.stderr_file); !options.merge_stderr && err.ok()) {
    run.err = std::move(*err);
  }
  if (!exit.ok()) {
    run.err += exit.status().message();
  } else {
    run.exit_code = exit->code;
  }
  return run;
}

cluster::UpProcessOptions UpOptions(const std::filesystem::path& dir, int regions, int base_port,
                                    const std::string& restart_region) {
  cluster::UpProcessOptions o;
  o.binary = LANDSLIDE_BINARY;
  o.dir = dir;
  o.regions = regions;
  o.base_port = base_port;
  o.restart_region = restart_region;
  o.parent_death_signal = SIGTERM;  // if the test dies, `up` stops what it started
  return o;
}

}  // namespace landslide::testing
