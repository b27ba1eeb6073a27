#include "views/pool_view.h"

namespace credpool::views {

namespace {

nlohmann::json epoch_or_null(const std::optional<core::WallTime>& at) {
  return at ? nlohmann::json(core::to_epoch_seconds(*at)) : nlohmann::json(nullptr);
}

}  // namespace

const char* to_string(CredentialState state) {
  switch (state) {
    case CredentialState::Ok:
      return "ok";
    case CredentialState::Cooling:
      return "cooling";
    case CredentialState::Dead:
      return "dead";
    case CredentialState::Unavailable:
      return "unavailable";
  }
  return "ok";
}

CredentialState state_at(const core::Credential& credential, core::WallTime now) {
  // Without a secret the row cannot be used at all, so its (possibly stale) mark says less.
  if (credential.access_token.empty()) return CredentialState::Unavailable;
  switch (core::health_at(credential, now)) {
    case core::Health::Dead:
      return CredentialState::Dead;
    case core::Health::Cooling:
      return CredentialState::Cooling;
    case core::Health::Ok:
      return CredentialState::Ok;
  }
  return CredentialState::Ok;
}

std::string state_of(const core::Credential& credential, core::WallTime now) {
  return to_string(state_at(credential, now));
}

PoolView view_of(const core::Pool& pool, core::WallTime now) {
  PoolView view;
  view.key = pool.key();
  view.strategy = pool.strategy();
  view.credentials = pool.entries();
  if (const core::Credential* next = pool.peek(now)) view.next_id = next->id;
  return view;
}

nlohmann::json pool_json(const PoolView& view, core::WallTime now, ListingShape shape) {
  nlohmann::json credentials = nlohmann::json::array();
  int index = 1;
  for (const core::Credential& c : view.credentials) {
    nlohmann::json row = {
        {"index", index++},
        {"id", c.id},
        {"label", c.label},
        {"auth_type", core::to_string(c.auth_type)},
        {"source", c.source},
        {"priority", c.priority},
        {"state", to_string(state_at(c, now))},
        {"reason", nullptr},
        {"status_code", nullptr},
        {"message", nullptr},
        {"resets_at", nullptr},
        {"reset_source", nullptr},
        {"error_code", nullptr},
        {"request_count", c.request_count},
        {"next", view.next_id.has_value() && *view.next_id == c.id},
        // DESIGN.md types secret_hint as a string ("sk-...abcd"). A row without a secret (an
        // env: or config: row whose source is unset here) has nothing to hint at: null, like
        // every other absent fact in the row. Not "" or "****": "****" is the mask of a real
        // short secret, and either would read as "a secret is present".
        {"secret_hint",
         c.access_token.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.access_token.hint())},
    };
    // A failure older than status_cleared_at (a reset by Hermes or another credpool) is history.
    if (const core::Exhaustion* e = core::exhaustion_in_force(c)) {
      row["reason"] = core::to_string(e->reason);
      if (e->status_code != 0) row["status_code"] = e->status_code;
      if (!e->message.empty()) row["message"] = e->message;
      if (!e->dead) row["resets_at"] = core::to_epoch_seconds(e->resets_at);
      row["reset_source"] = core::to_string(e->reset_source);
      if (!e->error_code.empty()) row["error_code"] = e->error_code;
    }
    nlohmann::json cooldowns = nlohmann::json::object();
    for (const auto& [model, until] : c.model_cooldowns)
      cooldowns[model] = core::to_epoch_seconds(until);
    row["model_cooldowns"] = std::move(cooldowns);
    switch (shape) {
      case ListingShape::List:
        break;
      case ListingShape::Status:
        row["last_used_at"] = epoch_or_null(c.last_used_at);
        // The pool a credential lives in is the only provider its failures can come from.
        row["last_failure_provider"] = core::exhaustion_in_force(c) != nullptr
                                           ? nlohmann::json(view.key)
                                           : nlohmann::json(nullptr);
        break;
    }
    credentials.push_back(std::move(row));
  }
  return {{"strategy", core::to_string(view.strategy)}, {"credentials", std::move(credentials)}};
}

nlohmann::json pools_json(const std::vector<PoolView>& views, core::WallTime now,
                          ListingShape shape) {
  nlohmann::json out = nlohmann::json::object();
  for (const PoolView& view : views) out[view.key] = pool_json(view, now, shape);
  return out;
}

}  // namespace credpool::views
