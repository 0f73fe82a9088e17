// The one binary: wires the command modules into a CLI and runs the chosen one.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Landslide: a multi-region online election that counts every ballot exactly once",
               "landslide"};
  app.require_subcommand(1);
  landslide::cli::CommandContext ctx;
  landslide::cli::AddKeysCommand(app, ctx);
  landslide::cli::AddVotersCommands(app, ctx);
  landslide::cli::AddServeCommand(app, ctx);
  landslide::cli::AddUpCommand(app, ctx);
  landslide::cli::AddDemoCommand(app, ctx);
  landslide::cli::AddSimulateCommand(app, ctx);
  landslide::cli::AddAuditCommand(app, ctx);
  landslide::cli::AddBenchCommand(app, ctx);
  landslide::cli::AddVerifiableCommands(app, ctx);
  landslide::cli::AddCryptoBenchCommand(app, ctx);
  landslide::cli::AddCloseCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "landslide: %s (see --help)\n", e.what());
    return 2;
  }
  return ctx.exit_code;
}
