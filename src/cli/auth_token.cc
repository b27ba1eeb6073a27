#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"

namespace credpool::cli {

namespace {

// The pool's next pick without counting a use or moving a cursor; under `random` (where peek
// names nothing) the first usable credential in priority order.
const core::Credential* next_without_use(const core::Pool& pool, core::WallTime now) {
  if (const core::Credential* next = pool.peek(now)) return next;
  for (const core::Credential& c : pool.entries()) {
    if (!c.access_token.empty() && core::health_at(c, now) == core::Health::Ok) return &c;
  }
  return nullptr;
}

}  // namespace

int auth_token(const Context& ctx, const TargetArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());

  const core::Credential* chosen = nullptr;
  if (args.target) {
    Result<const core::Credential*> target = resolve_target(*loaded, *args.target);
    if (!target) return fail(ctx, target.error());
    chosen = *target;
  } else {
    chosen = next_without_use(loaded->pool, ctx.clock.wall_now());
    if (chosen == nullptr) {
      return fail(ctx,
                  {ErrorCode::Unavailable, fmt::format("no usable credential in {}", loaded->key)});
    }
  }
  if (chosen->access_token.empty()) {
    return fail(ctx,
                {ErrorCode::Unavailable, fmt::format("{} has no secret in this process (source {})",
                                                     chosen->label, chosen->source)});
  }
  // TODO(#oauth): refresh an expired OAuth access token before printing it.
  ctx.out << chosen->access_token.reveal() << "\n";
  return kExitOk;
}

int auth_refresh(const Context& ctx, const TargetArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());
  if (args.target) {
    Result<const core::Credential*> target = resolve_target(*loaded, *args.target);
    if (!target) return fail(ctx, target.error());
    if ((*target)->auth_type == core::AuthType::ApiKey) {
      return fail(ctx, {ErrorCode::InvalidArgument,
                        fmt::format("{} credential '{}' is an API key, not a refreshable OAuth "
                                    "credential",
                                    loaded->key, (*target)->label)});
    }
  } else {
    bool any_oauth = false;
    for (const core::Credential& c : loaded->pool.entries()) {
      any_oauth = any_oauth || c.auth_type == core::AuthType::OAuth;
    }
    if (!any_oauth) {
      return fail(ctx, {ErrorCode::NotFound,
                        fmt::format("no OAuth credential in {} to refresh", loaded->key)});
    }
  }
  return fail(ctx, {ErrorCode::Unavailable, "OAuth refresh is not yet supported"});
}

}  // namespace credpool::cli
