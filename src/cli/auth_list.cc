#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/list_view.h"
#include "cli/load_views.h"
#include "cli/session.h"
#include "views/pool_view.h"

namespace credpool::cli {

int auth_list(const Context& ctx, const AuthListArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  std::optional<std::string> only;
  if (args.provider) {
    Result<std::string> key = session->pool_key(*args.provider);
    if (!key) return fail(ctx, key.error());
    only = *key;
  }
  const core::WallTime now = ctx.clock.wall_now();
  Result<std::vector<views::PoolView>> views = load_views(*session, only, now);
  if (!views) return fail(ctx, views.error());

  if (args.json) {
    // The same builder as the gateway's GET /admin/pools.
    ctx.out << views::pools_json(*views, now).dump(2) << "\n";
    return kExitOk;
  }
  bool printed = false;
  for (const views::PoolView& view : *views) {
    if (view.credentials.empty() && !only) continue;
    if (view.credentials.empty()) {
      ctx.out << view.key << ": no credentials\n";
    } else {
      ctx.out << render_text(view, now) << "\n";
    }
    printed = true;
  }
  if (!printed)
    ctx.out << "No credentials. Add one with `credpool auth add PROVIDER --api-key KEY`.\n";
  return kExitOk;
}

}  // namespace credpool::cli
