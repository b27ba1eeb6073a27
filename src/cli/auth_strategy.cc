#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"
#include "config/config.h"
#include "core/strategy.h"

namespace credpool::cli {

int auth_strategy(const Context& ctx, const AuthStrategyArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  const std::optional<core::Strategy> forced =
      config::strategy_override(session->config(), loaded->key);

  if (!args.name) {
    ctx.out << core::to_string(loaded->pool.strategy()) << "\n";
    if (forced) {
      ctx.err << fmt::format("credpool: note: set by config.yaml credential_pool_strategies.{}\n",
                             loaded->key);
    }
    return kExitOk;
  }
  const std::optional<core::Strategy> chosen = core::parse_strategy(*args.name);
  if (!chosen) {
    return fail(ctx, {ErrorCode::InvalidArgument,
                      fmt::format("unknown strategy '{}'; choose fill_first, round_robin, "
                                  "least_used or random",
                                  *args.name)});
  }
  Result<store::Snapshot> written = session->apply({store::SetStrategy{loaded->key, *chosen}});
  if (!written) return fail(ctx, written.error());
  ctx.out << fmt::format("Set {} strategy to {}\n", loaded->key, core::to_string(*chosen));
  if (forced) {
    ctx.err << fmt::format(
        "credpool: warning: config.yaml sets credential_pool_strategies.{} to {}, which overrides "
        "auth.json; {} stays in effect until you change the config\n",
        loaded->key, core::to_string(*forced), core::to_string(*forced));
  }
  return kExitOk;
}

}  // namespace credpool::cli
