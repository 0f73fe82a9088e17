// `landslide close`: ends voting for every region at once (docs/API.md). After it, every batch
// transaction is refused and every region answers ballots with 403 election_closed.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "db/election_state.h"
#include "db/pg.h"

namespace landslide::cli {

void AddCloseCommand(CLI::App& app, CommandContext& ctx) {
  auto db = std::make_shared<std::string>();
  auto* c = app.add_subcommand("close", "Close voting: every region refuses ballots from now on");
  c->add_option("--db", *db, "libpq conninfo reaching the primary (multi-host allowed)")
      ->required();
  c->callback([&ctx, db] {
    auto conn = db::PgConnection::Connect(*db, std::chrono::seconds(10));
    if (!conn.ok()) {
      ctx.exit_code = Fail(1, conn.status().message());
      return;
    }
    (void)(*conn)->Exec("SET client_min_messages TO warning");
    auto closed = db::CloseElection(**conn);
    if (!closed.ok()) {
      ctx.exit_code = Fail(1, closed.status().message());
      return;
    }
    std::printf("voting closed at %s; every region refuses ballots from now on\n",
                FormatRfc3339(*closed).c_str());
  });
}

}  // namespace landslide::cli
