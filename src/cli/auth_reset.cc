#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"

namespace credpool::cli {

namespace {

bool has_status(const core::Credential& c) {
  return c.exhaustion.has_value() || !c.model_cooldowns.empty() || c.failure_streak != 0;
}

}  // namespace

int auth_reset(const Context& ctx, const TargetArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  const core::WallTime now = ctx.clock.wall_now();

  std::vector<store::Mutation> resets;
  std::string done;
  if (args.target) {
    Result<const core::Credential*> target = resolve_target(*loaded, *args.target);
    if (!target) return fail(ctx, target.error());
    resets.push_back(store::ResetCredential{loaded->key, (*target)->id, now});
    done = fmt::format("Reset {} (#{}) in {}\n", (*target)->label,
                       display_index(loaded->pool, **target), loaded->key);
  } else {
    for (const core::Credential& c : loaded->pool.entries()) {
      if (has_status(c)) resets.push_back(store::ResetCredential{loaded->key, c.id, now});
    }
    done = fmt::format("Reset status on {} {} credential{}\n", resets.size(), loaded->key,
                       resets.size() == 1 ? "" : "s");
  }
  if (!resets.empty()) {
    Result<store::Snapshot> written = session->apply(std::move(resets));
    if (!written) return fail(ctx, written.error());
  }
  ctx.out << done;
  return kExitOk;
}

}  // namespace credpool::cli
