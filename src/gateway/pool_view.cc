#include "gateway/pool_view.h"

namespace credpool::gateway {

PoolView view_of(const core::Pool& pool, core::WallTime now) {
  PoolView view;
  view.key = pool.key();
  view.strategy = pool.strategy();
  view.credentials = pool.entries();
  if (const core::Credential* next = pool.peek(now)) view.next_id = next->id;
  return view;
}

std::string state_of(const core::Credential& credential, core::WallTime now) {
  switch (core::health_at(credential, now)) {
    case core::Health::Dead:
      return "dead";
    case core::Health::Cooling:
      return "cooling";
    case core::Health::Ok:
      break;
  }
  return credential.access_token.empty() ? "unavailable" : "ok";
}

nlohmann::json pool_json(const PoolView& view, core::WallTime now) {
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
        {"state", state_of(c, now)},
        {"reason", nullptr},
        {"status_code", nullptr},
        {"message", nullptr},
        {"resets_at", nullptr},
        {"reset_source", nullptr},
        {"error_code", nullptr},
        {"request_count", c.request_count},
        {"next", view.next_id.has_value() && *view.next_id == c.id},
        {"secret_hint",
         c.access_token.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.access_token.hint())},
    };
    if (const auto& e = c.exhaustion) {
      row["reason"] = core::to_string(e->reason);
      if (e->status_code != 0) row["status_code"] = e->status_code;
      if (!e->message.empty()) row["message"] = e->message;
      if (!e->dead) row["resets_at"] = core::to_epoch(e->resets_at);
      row["reset_source"] = core::to_string(e->reset_source);
      if (!e->error_code.empty()) row["error_code"] = e->error_code;
    }
    nlohmann::json cooldowns = nlohmann::json::object();
    for (const auto& [model, until] : c.model_cooldowns) cooldowns[model] = core::to_epoch(until);
    row["model_cooldowns"] = std::move(cooldowns);
    credentials.push_back(std::move(row));
  }
  return {{"strategy", core::to_string(view.strategy)}, {"credentials", std::move(credentials)}};
}

nlohmann::json pools_json(const std::vector<PoolView>& views, core::WallTime now) {
  nlohmann::json out = nlohmann::json::object();
  for (const PoolView& view : views) out[view.key] = pool_json(view, now);
  return out;
}

}  // namespace credpool::gateway
