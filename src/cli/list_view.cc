#include "cli/list_view.h"

#include <fmt/format.h>

#include "cli/duration_text.h"

namespace credpool::cli {

namespace {

using nlohmann::json;

constexpr std::string_view kEnvPrefix = "env:";

RowState row_state(const core::Credential& c, core::WallTime now) {
  // A borrowed row is hydrated from its source at load; without a secret it cannot be used.
  if (c.access_token.empty()) return RowState::Unavailable;
  switch (core::health_at(c, now)) {
    case core::Health::Ok:
      return RowState::Ok;
    case core::Health::Cooling:
      return RowState::Cooling;
    case core::Health::Dead:
      return RowState::Dead;
  }
  return RowState::Ok;
}

ListRow build_row(const core::Credential& c, int index, core::WallTime now) {
  ListRow row;
  row.index = index;
  row.id = c.id;
  row.label = c.label;
  row.auth_type = c.auth_type;
  row.source = c.source;
  row.priority = c.priority;
  row.state = row_state(c, now);
  row.request_count = c.request_count;
  if (!c.access_token.empty()) row.secret_hint = c.access_token.hint();
  row.model_cooldowns = c.model_cooldowns;
  row.last_used_at = c.last_used_at;
  if (c.exhaustion) {
    const core::Exhaustion& e = *c.exhaustion;
    row.reason = e.reason;
    if (e.status_code != 0) row.status_code = e.status_code;
    if (!e.message.empty()) row.message = e.message;
    if (!e.error_code.empty()) row.error_code = e.error_code;
    row.reset_source = e.reset_source;
    if (!e.dead) row.resets_at = e.resets_at;
  }
  return row;
}

template <class T, class F>
json optional_json(const std::optional<T>& value, F convert) {
  return value ? json(convert(*value)) : json(nullptr);
}

// Hermes' three display classes (reference §5), keyed on our classifier's reason.
std::string_view failure_class(core::FailureReason reason) {
  switch (reason) {
    case core::FailureReason::RateLimit:
    case core::FailureReason::UpstreamRateLimit:
      return "rate-limited";
    case core::FailureReason::Quota:
      return "quota exhausted";
    case core::FailureReason::Auth:
    case core::FailureReason::Forbidden:
      return "auth failed";
    case core::FailureReason::UpstreamBlocked:
    case core::FailureReason::Overloaded:
    case core::FailureReason::Server:
    case core::FailureReason::Timeout:
    case core::FailureReason::ContextOverflow:
    case core::FailureReason::ContentPolicy:
    case core::FailureReason::BadRequest:
    case core::FailureReason::Unknown:
      return "exhausted";
  }
  return "exhausted";
}

bool is_auth_failure(core::FailureReason reason) {
  return reason == core::FailureReason::Auth || reason == core::FailureReason::Forbidden;
}

std::string failure_head(const ListRow& row, std::string_view cls) {
  std::string out(cls);
  if (row.error_code) out += " " + *row.error_code;
  if (row.status_code) out += fmt::format(" ({})", *row.status_code);
  return out;
}

}  // namespace

const char* to_string(RowState state) {
  switch (state) {
    case RowState::Ok:
      return "ok";
    case RowState::Cooling:
      return "cooling";
    case RowState::Dead:
      return "dead";
    case RowState::Unavailable:
      return "unavailable";
  }
  return "ok";
}

PoolView build_view(const core::Pool& pool, core::WallTime now) {
  PoolView view{pool.key(), pool.strategy(), {}};
  const core::Credential* next = pool.peek(now);
  int index = 1;
  for (const core::Credential& c : pool.entries()) {
    ListRow row = build_row(c, index++, now);
    row.next = next != nullptr && next->id == c.id;
    if (c.exhaustion) row.last_failure_provider = pool.key();
    view.rows.push_back(std::move(row));
  }
  return view;
}

json to_json(const PoolView& view, bool with_status) {
  json credentials = json::array();
  const auto epoch = [](core::WallTime t) { return core::to_epoch(t); };
  for (const ListRow& row : view.rows) {
    json models = json::object();
    for (const auto& [model, until] : row.model_cooldowns) models[model] = core::to_epoch(until);
    json item = {
        {"index", row.index},
        {"id", row.id},
        {"label", row.label},
        {"auth_type", std::string(core::to_string(row.auth_type))},
        {"source", row.source},
        {"priority", row.priority},
        {"state", to_string(row.state)},
        {"reason",
         optional_json(row.reason,
                       [](core::FailureReason r) { return std::string(core::to_string(r)); })},
        {"status_code", optional_json(row.status_code, [](int s) { return s; })},
        {"message", optional_json(row.message, [](const std::string& s) { return s; })},
        {"resets_at", optional_json(row.resets_at, epoch)},
        {"reset_source",
         optional_json(row.reset_source,
                       [](core::ResetSource s) { return std::string(core::to_string(s)); })},
        {"request_count", row.request_count},
        {"next", row.next},
        {"secret_hint", optional_json(row.secret_hint, [](const std::string& s) { return s; })},
        {"error_code", optional_json(row.error_code, [](const std::string& s) { return s; })},
        {"model_cooldowns", models},
    };
    if (with_status) {
      item["last_used_at"] = optional_json(row.last_used_at, epoch);
      item["last_failure_provider"] =
          optional_json(row.last_failure_provider, [](const std::string& s) { return s; });
    }
    credentials.push_back(std::move(item));
  }
  return json{{"strategy", std::string(core::to_string(view.strategy))},
              {"credentials", std::move(credentials)}};
}

std::string state_text(const ListRow& row, core::WallTime now) {
  if (row.state == RowState::Unavailable) {
    if (row.source.starts_with(kEnvPrefix)) {
      return fmt::format("unavailable ({} is not set)", row.source.substr(kEnvPrefix.size()));
    }
    return "unavailable (no secret)";
  }
  if (row.state == RowState::Dead) {
    return failure_head(row, "dead") + " (re-auth required)";
  }
  if (!row.reason) return "ok";
  std::string out = failure_head(row, failure_class(*row.reason));
  if (row.state == RowState::Ok) return out + " (ready to retry)";
  if (is_auth_failure(*row.reason)) return out + " (re-auth may be required)";
  if (row.resets_at) {
    out += fmt::format(" ({} left)", duration_text(*row.resets_at - now));
  }
  return out;
}

std::string render_text(const PoolView& view, core::WallTime now) {
  std::string out = fmt::format("{} ({} credential{}, strategy {}):\n", view.key, view.rows.size(),
                                view.rows.size() == 1 ? "" : "s", core::to_string(view.strategy));
  for (const ListRow& row : view.rows) {
    std::string line = fmt::format("  #{:<3} {:<20} {:<7} id={} priority={} {} {} {}", row.index,
                                   row.label, core::to_string(row.auth_type), row.id, row.priority,
                                   row.source, row.secret_hint.value_or("-"), state_text(row, now));
    for (const auto& [model, until] : row.model_cooldowns) {
      if (until > now) {
        line += fmt::format(" [{} cooling, {} left]", model, duration_text(until - now));
      }
    }
    if (row.next) line += " ←";
    out += line + "\n";
  }
  return out;
}

}  // namespace credpool::cli
