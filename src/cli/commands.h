// Each command module adds its subcommand(s) to the CLI. A command's callback stores its exit
// code in `exit_code` (0 ok, 1 runtime failure, 2 bad usage) and prints errors to stderr as one
// sentence.
#pragma once

#include <CLI/CLI.hpp>

namespace landslide::cli {

struct CommandContext {
  int exit_code = 0;
};

void AddKeysCommand(CLI::App& app, CommandContext& ctx);
void AddVotersCommands(CLI::App& app, CommandContext& ctx);
void AddServeCommand(CLI::App& app, CommandContext& ctx);
void AddUpCommand(CLI::App& app, CommandContext& ctx);
void AddDemoCommand(CLI::App& app, CommandContext& ctx);
void AddSimulateCommand(CLI::App& app, CommandContext& ctx);
void AddAuditCommand(CLI::App& app, CommandContext& ctx);
void AddBenchCommand(CLI::App& app, CommandContext& ctx);
void AddVerifiableCommands(CLI::App& app, CommandContext& ctx);
void AddCryptoBenchCommand(CLI::App& app, CommandContext& ctx);
void AddCloseCommand(CLI::App& app, CommandContext& ctx);

// Prints "landslide: <message>" to stderr and returns `code`.
int Fail(int code, const std::string& message);

}  // namespace landslide::cli
