#include <ostream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/list_view.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"
#include "gateway/journal.h"

namespace credpool::cli {

namespace {

// Returns a field as text, or "" when absent or null (journal lines omit what they do not know).
std::string field(const nlohmann::json& event, const char* name) {
  const auto it = event.find(name);
  if (it == event.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Returns an epoch field as UTC time ("2026-11-23 21:40:05Z"), or "" when absent.
std::string time_field(const nlohmann::json& event, const char* name) {
  const auto it = event.find(name);
  if (it == event.end() || !it->is_number()) return field(event, name);
  return fmt::format("{:%Y-%m-%d %H:%M:%S}Z", core::from_epoch(it->get<long long>()));
}

// Formats one journal event for people: when, what, why, and until when.
std::string event_line(const nlohmann::json& event) {
  std::string line = time_field(event, "ts") + " " + field(event, "event");
  for (const char* name : {"status", "reason", "error_code"}) {
    if (const std::string v = field(event, name); !v.empty()) line += " " + v;
  }
  if (const std::string until = time_field(event, "resets_at"); !until.empty()) {
    line += " until " + until + " (" + field(event, "reset_source") + ")";
  }
  if (const std::string m = field(event, "message"); !m.empty()) line += ": " + m;
  return line;
}

}  // namespace

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
  // The gateway journals marks, rotations and fallbacks (events.jsonl); show the latest, oldest
  // first, so the story reads top to bottom.
  constexpr std::size_t kMaxEvents = 20;
  const std::vector<nlohmann::json> events =
      views::read_journal(ctx.home.dir, loaded->key, (*target)->id, kMaxEvents);
  if (events.empty()) {
    ctx.out << "no events recorded\n";
    return kExitOk;
  }
  ctx.out << fmt::format("last {} events:\n", events.size());
  for (const nlohmann::json& e : events) ctx.out << "  " << event_line(e) << "\n";
  return kExitOk;
}

}  // namespace credpool::cli
