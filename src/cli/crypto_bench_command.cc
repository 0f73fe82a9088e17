// `landslide crypto-bench`: the verifiable scheme's costs (bench/crypto_bench.h) as a JSON
// report, with one progress line per figure on stderr.
#include <cstdio>
#include <memory>

#include "bench/crypto_bench.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "crypto/keys.h"

namespace landslide::cli {

void AddCryptoBenchCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<bench::CryptoBenchOptions>();
  auto report = std::make_shared<std::string>("crypto-bench.json");
  auto* c = app.add_subcommand(
      "crypto-bench", "Measure the verifiable ballots' cryptography and write a JSON report");
  c->add_option("--report", *report, "Where to write the JSON report")->capture_default_str();
  c->add_option("--seconds", o->seconds_per_item, "Measuring time per figure")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 60.0));
  c->add_option("--candidates", o->candidates, "Candidates on the measured ballot")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  c->callback([&ctx, o, report] {
    if (Status st = InitCrypto(); !st.ok()) {
      ctx.exit_code = Fail(1, st.message());
      return;
    }
    o->progress = [](const std::string& line) {
      std::fprintf(stderr, "crypto-bench: %s\n", line.c_str());
    };
    auto json = bench::RunCryptoBench(*o);
    if (!json.ok()) {
      ctx.exit_code = Fail(2, json.status().message());
      return;
    }
    if (Status st = WriteTextFile(*report, *json); !st.ok()) {
      ctx.exit_code = Fail(1, st.message());
      return;
    }
    std::fputs(json->c_str(), stdout);
  });
}

}  // namespace landslide::cli
