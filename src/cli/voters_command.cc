// Placeholder until this command is built.
#include "cli/commands.h"

namespace landslide::cli {
void AddVotersCommands(CLI::App& app, CommandContext& ctx) {
  auto* c = app.add_subcommand("voters", "(not built yet)");
  c->allow_extras();
  c->callback([&ctx] { ctx.exit_code = Fail(1, "voters is not built yet"); });
}
}  // namespace landslide::cli
