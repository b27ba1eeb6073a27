#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/list_view.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"

namespace credpool::cli {

int explain(const Context& ctx, const TargetArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  Result<const core::Credential*> target = resolve_target(*loaded, args.target.value_or(""));
  if (!target) return fail(ctx, target.error());
  const core::WallTime now = ctx.clock.wall_now();
  const PoolView view = build_view(loaded->pool, now);
  for (const ListRow& row : view.rows) {
    if (row.id != (*target)->id) continue;
    ctx.out << fmt::format("{} #{} {} (id {}, source {}): {}\n", loaded->key, row.index, row.label,
                           row.id, row.source, state_text(row, now));
    if (row.message) ctx.out << fmt::format("  provider message: {}\n", *row.message);
  }
  // TODO(#journal): read events.jsonl once the gateway writes it.
  ctx.out << "no events recorded\n";
  return kExitOk;
}

}  // namespace credpool::cli
