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
  int index = 1;
  for (const core::Credential& c : loaded->pool.entries()) {
    if (c.id == (*target)->id) {
      ctx.out << fmt::format("{} #{} {} (id {}, source {}): {}\n", loaded->key, index, c.label,
                             c.id, c.source, state_text(c, now));
      if (c.exhaustion && !c.exhaustion->message.empty()) {
        ctx.out << fmt::format("  provider message: {}\n", c.exhaustion->message);
      }
    }
    ++index;
  }
  // TODO(#journal): read events.jsonl once the gateway writes it.
  ctx.out << "no events recorded\n";
  return kExitOk;
}

}  // namespace credpool::cli
