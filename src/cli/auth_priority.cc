#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"

namespace credpool::cli {

int auth_priority(const Context& ctx, const AuthPriorityArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  Result<const core::Credential*> target = resolve_target(*loaded, args.target);
  if (!target) return fail(ctx, target.error());
  const int last = static_cast<int>(loaded->pool.size()) - 1;
  const int position = std::clamp(args.position, 0, last);
  const std::string label = (*target)->label;

  Result<store::Snapshot> written =
      session->apply({store::MoveCredential{loaded->key, (*target)->id, position}});
  if (!written) return fail(ctx, written.error());
  if (position != args.position) {
    ctx.err << fmt::format("credpool: note: priority {} clamped to {} ({} has {} credentials)\n",
                           args.position, position, loaded->key, last + 1);
  }
  ctx.out << fmt::format("Set {} credential '{}' to priority {} (#{} in `credpool auth list {}`)\n",
                         loaded->key, label, position, position + 1, loaded->key);
  if (loaded->pool.strategy() != core::Strategy::FillFirst) {
    ctx.err << fmt::format(
        "credpool: note: {} uses the {} strategy; priority only orders fill_first selection\n",
        loaded->key, core::to_string(loaded->pool.strategy()));
  }
  return kExitOk;
}

}  // namespace credpool::cli
