#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/credential.h"
#include "core/pool.h"
#include "core/strategy.h"

namespace credpool::views {

// The one builder of the pool listing: `GET /admin/pools`, `credpool auth list --json` and
// `credpool status --json` all come from here, so they cannot drift apart (DESIGN.md: /admin/pools
// is the same JSON as `auth list --json`). The CLI only adds human text on top (cli/list_view.h).

// A copy of one pool's facts, taken under the pool's lock so JSON is built outside it.
struct PoolView {
  std::string key;
  core::Strategy strategy = core::Strategy::FillFirst;
  std::vector<core::Credential> credentials;  // in priority order
  std::optional<std::string> next_id;         // what the next pick would be; none under random
};

// What a credential is at read time. Unavailable: no secret in this process (a borrowed env: or
// config: row whose source is not set).
enum class CredentialState { Ok, Cooling, Dead, Unavailable };

// Returns the wire name: "ok" | "cooling" | "dead" | "unavailable".
const char* to_string(CredentialState state);

// Returns a credential's state at `now`. A row without a secret is Unavailable whatever its last
// failure says (DESIGN.md: an env row whose variable is unset shows "unavailable"); otherwise
// dead, then cooling (until `resets_at`), then ok. Pure.
CredentialState state_at(const core::Credential& credential, core::WallTime now);

// Returns to_string(state_at(credential, now)) (the metrics label). Pure.
std::string state_of(const core::Credential& credential, core::WallTime now);

// Copies a pool's facts; `next_id` comes from Pool::peek at `now`. Not thread-safe on `pool`
// (call under the pool's lock).
PoolView view_of(const core::Pool& pool, core::WallTime now);

// Which listing a pool_json is for.
enum class ListingShape {
  List,    // `auth list --json`, `GET /admin/pools`
  Status,  // `status --json`: the same plus `last_used_at` and `last_failure_provider`
};

// Builds one pool's listing value: {"strategy", "credentials": [{index (1-based), id, label,
// auth_type, source, priority, state, reason, status_code, message, resets_at, reset_source,
// request_count, next, secret_hint, error_code, model_cooldowns}]}. The last failure's fields
// are null when there was none; resets_at is null for a dead credential. Never contains a secret
// (only its masked hint). Pure; thread-safe.
nlohmann::json pool_json(const PoolView& view, core::WallTime now,
                         ListingShape shape = ListingShape::List);

// Builds the whole listing object {"<pool key>": pool_json(view, now, shape), ...}.
nlohmann::json pools_json(const std::vector<PoolView>& views, core::WallTime now,
                          ListingShape shape = ListingShape::List);

}  // namespace credpool::views
