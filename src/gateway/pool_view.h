#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/credential.h"
#include "core/pool.h"
#include "core/strategy.h"

namespace credpool::gateway {

// A copy of one pool's facts, taken under the pool's lock so JSON is built outside it.
struct PoolView {
  std::string key;
  core::Strategy strategy = core::Strategy::FillFirst;
  std::vector<core::Credential> credentials;  // in priority order
  std::optional<std::string> next_id;         // what the next pick would be; none under random
};

// Copies a pool's facts; `next_id` comes from Pool::peek at `now`. Not thread-safe on `pool`
// (call under the pool's lock).
PoolView view_of(const core::Pool& pool, core::WallTime now);

// Returns a credential's state at `now`: "dead", "cooling", "unavailable" (no secret: a borrowed
// row whose source is not available in this process) or "ok".
std::string state_of(const core::Credential& credential, core::WallTime now);

// Builds one pool's `auth list --json` value: {"strategy", "credentials": [{index (1-based),
// id, label, auth_type, source, priority, state, reason, status_code, message, resets_at,
// reset_source, request_count, next, secret_hint, error_code, model_cooldowns}]}. The last
// failure's fields are null when there was none; resets_at is null for a dead credential.
// Never contains a secret (only its masked hint). Pure; thread-safe.
nlohmann::json pool_json(const PoolView& view, core::WallTime now);

// Builds the whole `auth list --json` / `GET /admin/pools` object {"<pool key>": pool_json}.
nlohmann::json pools_json(const std::vector<PoolView>& views, core::WallTime now);

}  // namespace credpool::gateway
