#pragma once

#include <optional>
#include <string>

#include "cli/context.h"

// The credpool commands, one per file. Each returns the process exit code (kExitOk,
// kExitFailure or kExitUsage) and prints its errors on ctx.err; none throws.
namespace credpool::cli {

struct AuthAddArgs {
  std::string provider;
  std::optional<std::string> api_key;  // "-": read from stdin
  std::optional<std::string> label;
  std::optional<std::string> base_url;
  std::optional<int> priority;      // 0-based position; default: last
  std::optional<std::string> type;  // "api_key" | "api-key" | "oauth"; default: the provider's
  bool no_browser = false;
};
struct AuthListArgs {
  std::optional<std::string> provider;
  bool json = false;
};
// PROVIDER [TARGET] (reset, token, refresh) or PROVIDER TARGET (remove, explain).
struct TargetArgs {
  std::string provider;
  std::optional<std::string> target;
};
struct AuthStrategyArgs {
  std::string provider;
  std::optional<std::string> name;
};
struct AuthPriorityArgs {
  std::string provider;
  std::string target;
  int position = 0;
};
struct ServeArgs {
  std::optional<std::string> listen;
};
struct StatusArgs {
  bool json = false;
  bool watch = false;
};

// Adds an API key (DESIGN.md `auth add`). Prints "Added <label> to <pool> (<masked>)".
int auth_add(const Context& ctx, const AuthAddArgs& args);
// Lists one pool or every pool, human or JSON.
int auth_list(const Context& ctx, const AuthListArgs& args);
// Removes one credential by id, label or 1-based index.
int auth_remove(const Context& ctx, const TargetArgs& args);
// Clears cooling, model cooldowns and dead on one credential, or on all when no target.
int auth_reset(const Context& ctx, const TargetArgs& args);
// Prints the pool's strategy, or sets it (warning when config.yaml overrides it).
int auth_strategy(const Context& ctx, const AuthStrategyArgs& args);
// Moves a credential to a 0-based position (clamped).
int auth_priority(const Context& ctx, const AuthPriorityArgs& args);
// Prints the access token of the target, or of the pool's next pick: the only secret printed.
int auth_token(const Context& ctx, const TargetArgs& args);
// Refreshes an OAuth credential (not yet supported: OAuth is a later issue).
int auth_refresh(const Context& ctx, const TargetArgs& args);
// Runs the menu (list / add / remove / reset / strategy / quit) on a terminal.
int auth_interactive(const Context& ctx);
// Runs the gateway until it is stopped.
int serve(const Context& ctx, const ServeArgs& args);
// Prints every pool with last use, once or (--watch) every second until interrupted.
int status(const Context& ctx, const StatusArgs& args);
// Explains a credential's current state and its recorded events.
int explain(const Context& ctx, const TargetArgs& args);

}  // namespace credpool::cli
