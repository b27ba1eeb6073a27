#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"

namespace credpool::cli {

int auth_remove(const Context& ctx, const TargetArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  Result<const core::Credential*> target = resolve_target(*loaded, args.target.value_or(""));
  if (!target) return fail(ctx, target.error());
  const core::Credential& c = **target;
  const std::string line = fmt::format("Removed {} (#{}, id {}) from {}\n", c.label,
                                       display_index(loaded->pool, c), c.id, loaded->key);
  const bool borrowed = c.source.starts_with("env:") || c.source.starts_with("config:");
  const std::string source = c.source;

  Result<store::Snapshot> written = session->apply({store::RemoveCredential{loaded->key, c.id}});
  if (!written) return fail(ctx, written.error());
  ctx.out << line;
  if (borrowed) {
    ctx.out << fmt::format(
        "{} will not be re-seeded into {} until the next `credpool auth add {}`\n", source,
        loaded->key, args.provider);
  }
  return kExitOk;
}

}  // namespace credpool::cli
