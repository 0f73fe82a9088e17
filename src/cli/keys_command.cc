#include <cstdio>

#include "cli/commands.h"
#include "crypto/keys.h"

namespace landslide::cli {

void AddKeysCommand(CLI::App& app, CommandContext& ctx) {
  auto* keys = app.add_subcommand("keys", "Manage an election's keys");
  keys->require_subcommand(1);
  auto* init = keys->add_subcommand(
      "init", "Create the registry key, the election key pair and the checkpoint signing keys");
  auto out = std::make_shared<std::string>();
  init->add_option("--out", *out, "Directory to create the keys in")->required();
  init->callback([&ctx, out] {
    auto k = CreateKeys(*out);
    if (!k.ok()) {
      ctx.exit_code = Fail(1, k.status().message());
      return;
    }
    std::printf("keys written to %s (keep election.sec and signing.sec secret)\n", out->c_str());
  });
}

}  // namespace landslide::cli
