#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/credential.h"
#include "core/failure_reason.h"
#include "core/pool.h"
#include "core/strategy.h"

namespace credpool::cli {

// What `auth list` / `status` show for a credential, computed at read time.
// Unavailable: a borrowed row (env:, config:) whose secret is not present in this process.
enum class RowState { Ok, Cooling, Dead, Unavailable };

// Returns the wire name ("ok" | "cooling" | "dead" | "unavailable").
const char* to_string(RowState state);

// One row of `auth list`, as pinned in DESIGN.md ("auth list --json").
struct ListRow {
  int index = 0;  // 1-based, priority order
  std::string id;
  std::string label;
  core::AuthType auth_type = core::AuthType::ApiKey;
  std::string source;
  int priority = 0;
  RowState state = RowState::Ok;
  std::optional<core::FailureReason> reason;
  std::optional<int> status_code;
  std::optional<std::string> message;
  std::optional<core::WallTime> resets_at;  // null for dead rows (they never expire)
  std::optional<core::ResetSource> reset_source;
  std::uint64_t request_count = 0;
  bool next = false;  // what the pool would pick now (peek); never under `random`
  std::optional<std::string> secret_hint;  // null when the secret is not present
  std::optional<std::string> error_code;
  std::map<std::string, core::WallTime> model_cooldowns;
  std::optional<core::WallTime> last_used_at;        // `status` only
  std::optional<std::string> last_failure_provider;  // `status` only: the pool of the failure
};

struct PoolView {
  std::string key;
  core::Strategy strategy = core::Strategy::FillFirst;
  std::vector<ListRow> rows;
};

// Builds the rows of one pool at `now`. Pure: reads the pool, never selects or counts.
PoolView build_view(const core::Pool& pool, core::WallTime now);

// Returns the DESIGN.md JSON object for one pool: {"strategy", "credentials": [...]}.
// `with_status` adds `last_used_at` and `last_failure_provider` (the `status --json` shape).
nlohmann::json to_json(const PoolView& view, bool with_status);

// Returns a row's human state: "ok", "rate-limited (429) (59m 30s left)", "dead token_revoked
// (re-auth required)", "rate-limited (429) (ready to retry)", "unavailable (VAR is not set)".
std::string state_text(const ListRow& row, core::WallTime now);

// Returns the human `auth list` block of one pool: a header line, one line per row, the next
// pick marked with "←".
std::string render_text(const PoolView& view, core::WallTime now);

}  // namespace credpool::cli
