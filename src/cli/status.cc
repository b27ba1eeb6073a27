#include <chrono>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/duration_text.h"
#include "cli/list_view.h"
#include "cli/load_views.h"
#include "cli/session.h"
#include "cli/terminal.h"
#include "cli/watch.h"
#include "views/pool_view.h"

namespace credpool::cli {

namespace {

constexpr auto kWatchPeriod =
    std::chrono::seconds{1};  // DESIGN.md: `status --watch` redraws every second

std::string render_status(const std::vector<views::PoolView>& views, core::WallTime now) {
  std::string out;
  for (const views::PoolView& view : views) {
    if (view.credentials.empty()) continue;
    out += out.empty() ? "" : "\n";  // a blank line between pools, none after the last
    out += render_text(view, now);
    int index = 1;
    for (const core::Credential& c : view.credentials) {
      if (c.last_used_at) {
        out += fmt::format(
            "      #{} last used {} ago\n", index,
            duration_text(std::chrono::floor<std::chrono::seconds>(now - *c.last_used_at)));
      }
      ++index;
    }
  }
  return out.empty() ? "No credentials.\n" : out;
}

int print_once(const Context& ctx, Session& session, const StatusArgs& args) {
  const core::WallTime now = ctx.clock.wall_now();
  Result<std::vector<views::PoolView>> views = load_views(session, std::nullopt, now);
  if (!views) return fail(ctx, views.error());
  if (args.json) {
    ctx.out << views::pools_json(*views, now, views::ListingShape::Status).dump(2) << "\n";
  } else {
    ctx.out << render_status(*views, now);
  }
  ctx.out.flush();
  return kExitOk;
}

}  // namespace

int status(const Context& ctx, const StatusArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  if (!args.watch) return print_once(ctx, *session, args);
  const bool clear_screen = !args.json && stdout_is_terminal();
  // Runs until the user interrupts it (Ctrl-C ends the process); a failed load or a closed
  // output ends it too.
  for (long frame = 0;; ++frame) {
    ctx.out << watch_separator(clear_screen, frame);
    if (const int code = print_once(ctx, *session, args); code != kExitOk) return code;
    if (!ctx.out) return kExitFailure;
    std::this_thread::sleep_for(kWatchPeriod);
  }
}

}  // namespace credpool::cli
