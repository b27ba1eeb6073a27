#include "cli/run.h"

#include <iostream>
#include <random>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/home.h"
#include "cli/system_clock.h"
#include "cli/terminal.h"

namespace credpool::cli {

namespace {

// Everything the command line can say, filled by CLI11 before any command runs.
struct Parsed {
  std::optional<std::string> config_file;
  AuthAddArgs add;
  AuthListArgs list;
  TargetArgs remove, reset, token, refresh, explain;
  AuthStrategyArgs strategy;
  AuthPriorityArgs priority;
  ServeArgs serve;
  StatusArgs status;
};

struct Commands {
  CLI::App* auth;
  CLI::App* add;
  CLI::App* list;
  CLI::App* remove;
  CLI::App* reset;
  CLI::App* strategy;
  CLI::App* priority;
  CLI::App* token;
  CLI::App* refresh;
  CLI::App* serve;
  CLI::App* status;
  CLI::App* explain;
};

Commands define_auth(CLI::App& app, Parsed& p) {
  Commands c{};
  c.auth = app.add_subcommand("auth", "Manage pooled credentials (interactive on a terminal)");
  c.auth->require_subcommand(0, 1);

  c.add = c.auth->add_subcommand("add", "Add an API key to a provider's pool");
  c.add->add_option("provider", p.add.provider, "Provider id, alias or custom:<name>")->required();
  c.add->add_option("--api-key", p.add.api_key, "The key, or - to read it from stdin");
  c.add->add_option("--label", p.add.label, "Label, unique in the pool (default <provider>-<n>)");
  c.add->add_option("--base-url", p.add.base_url, "Base URL for this credential only");
  c.add->add_option("--priority", p.add.priority, "0-based position (default: last)");
  // Checked by auth_add, not CLI11: a well-formed but wrong value exits 1 (see run()).
  c.add->add_option("--type", p.add.type, "api_key or oauth");
  c.add->add_flag("--no-browser", p.add.no_browser, "OAuth: print the login URL only");

  c.list = c.auth->add_subcommand("list", "List credentials and their state");
  c.list->add_option("provider", p.list.provider, "Only this provider's pool");
  c.list->add_flag("--json", p.list.json, "Print JSON");

  c.remove = c.auth->add_subcommand("remove", "Remove a credential");
  c.remove->add_option("provider", p.remove.provider)->required();
  c.remove->add_option("target", p.remove.target, "id, label or 1-based index")->required();

  c.reset = c.auth->add_subcommand("reset", "Clear cooling and dead state (all when no target)");
  c.reset->add_option("provider", p.reset.provider)->required();
  c.reset->add_option("target", p.reset.target, "id, label or 1-based index");

  c.strategy = c.auth->add_subcommand("strategy", "Print or set a pool's strategy");
  c.strategy->add_option("provider", p.strategy.provider)->required();
  c.strategy->add_option("name", p.strategy.name, "fill_first|round_robin|least_used|random");

  c.priority = c.auth->add_subcommand("priority", "Move a credential to a 0-based position");
  c.priority->add_option("provider", p.priority.provider)->required();
  c.priority->add_option("target", p.priority.target, "id, label or 1-based index")->required();
  c.priority->add_option("position", p.priority.position, "0-based position, clamped")->required();

  c.token = c.auth->add_subcommand("token", "Print an access token (the only secret printed)");
  c.token->add_option("provider", p.token.provider)->required();
  c.token->add_option("target", p.token.target, "id, label or 1-based index");

  c.refresh = c.auth->add_subcommand("refresh", "Refresh an OAuth credential");
  c.refresh->add_option("provider", p.refresh.provider)->required();
  c.refresh->add_option("target", p.refresh.target, "id, label or 1-based index");
  return c;
}

void define_others(CLI::App& app, Parsed& p, Commands& c) {
  c.serve = app.add_subcommand("serve", "Run the gateway");
  c.serve->add_option("--listen", p.serve.listen, "HOST:PORT (default 127.0.0.1:4000)");

  c.status = app.add_subcommand("status", "Show every pool with last use");
  c.status->add_flag("--json", p.status.json, "Print JSON");
  c.status->add_flag("--watch", p.status.watch, "Redraw every second until interrupted");

  c.explain = app.add_subcommand("explain", "Explain a credential's state");
  c.explain->add_option("provider", p.explain.provider)->required();
  c.explain->add_option("target", p.explain.target, "id, label or 1-based index")->required();
}

int dispatch(const Context& ctx, const Parsed& p, const Commands& c, const CLI::App& app) {
  if (c.add->parsed()) return auth_add(ctx, p.add);
  if (c.list->parsed()) return auth_list(ctx, p.list);
  if (c.remove->parsed()) return auth_remove(ctx, p.remove);
  if (c.reset->parsed()) return auth_reset(ctx, p.reset);
  if (c.strategy->parsed()) return auth_strategy(ctx, p.strategy);
  if (c.priority->parsed()) return auth_priority(ctx, p.priority);
  if (c.token->parsed()) return auth_token(ctx, p.token);
  if (c.refresh->parsed()) return auth_refresh(ctx, p.refresh);
  if (c.auth->parsed()) {
    if (is_interactive()) return auth_interactive(ctx);
    ctx.err << c.auth->help()
            << "credpool: auth: a subcommand is required when not on a terminal\n";
    return kExitUsage;
  }
  if (c.serve->parsed()) return serve(ctx, p.serve);
  if (c.status->parsed()) return status(ctx, p.status);
  if (c.explain->parsed()) return explain(ctx, p.explain);
  ctx.err << app.help() << "credpool: a command is required\n";
  return kExitUsage;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"credpool: a credential-pool gateway for LLM API keys", "credpool"};
  app.fallthrough();  // lets the global --config follow a subcommand
  Parsed parsed;
  app.add_option("--config", parsed.config_file, "config.yaml to use")->type_name("FILE");
  Commands commands = define_auth(app, parsed);
  define_others(app, parsed, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::ParseError& e) {
    // Exit 2 is for command-line syntax only (DESIGN.md "Pinned details / CLI"): an unknown
    // flag, a missing argument, and a value CLI11 cannot convert to the option's type
    // (`--priority abc`), since such a value is malformed before any command can judge it.
    // Values that parse but mean nothing valid (`--type bogus`, `--base-url notaurl`,
    // `serve --listen nonsense`) are checked by the commands and exit 1; so no option here
    // carries a CLI11 ->check().
    std::cerr << "credpool: " << e.what() << "\nRun with --help for usage.\n";
    return kExitUsage;
  }

  Result<Home> home = find_home();
  if (!home) {
    std::cerr << "credpool: " << home.error().message << "\n";
    return kExitFailure;
  }
  const SystemClock clock;
  core::SplitMixRandom random(std::random_device{}());
  std::optional<std::filesystem::path> config_flag;
  if (parsed.config_file) config_flag = std::filesystem::path(*parsed.config_file);
  const Context ctx{*home, config_flag, clock, random, std::cin, std::cout, std::cerr};
  return dispatch(ctx, parsed, commands, app);
}

}  // namespace credpool::cli
