// Placeholder until this command is built.
#include "cli/commands.h"

namespace landslide::cli {
void AddDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto* c = app.add_subcommand("demo", "(not built yet)");
  c->allow_extras();
  c->callback([&ctx] { ctx.exit_code = Fail(1, "demo is not built yet"); });
}
}  // namespace landslide::cli
