#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/failure_reason.h"
#include "core/secret.h"

namespace credpool::core {

enum class AuthType { ApiKey, OAuth };
// Where a reset time came from: the provider, the provider's but clamped to max_cooldown (it
// was implausibly far), or the default cooldown table.
enum class ResetSource { Provider, ProviderClamped, Default };
// The state a credential is in at a given time (computed, never stored as such).
enum class Health { Ok, Cooling, Dead };

std::string_view to_string(AuthType type);                       // "api_key" | "oauth"
std::optional<AuthType> parse_auth_type(std::string_view text);  // accepts "api-key"
std::string_view to_string(ResetSource source);  // "provider" | "provider_clamped" | "default"
// Parses a wire name; nullopt for anything else.
std::optional<ResetSource> parse_reset_source(std::string_view text);
std::string_view to_string(Health health);  // "ok" | "cooling" | "dead"

// Why and until when a credential is out (DESIGN.md "exhaustion"). A dead exhaustion never
// expires on a timer; only a reset (or a re-auth) clears it.
struct Exhaustion {
  int status_code = 0;  // HTTP status of the failure; 0 when there was none (failed refresh)
  FailureReason reason = FailureReason::Unknown;
  std::string error_code;  // the provider's own code or type, e.g. "insufficient_quota"
  std::string message;     // the provider's message, trimmed; never a secret
  WallTime at{};
  WallTime resets_at{};  // the provider's reset, else the computed default end
  ResetSource reset_source = ResetSource::Default;
  bool dead = false;
};

// One pool entry: one API key or one OAuth account of a provider.
struct Credential {
  std::string id;     // stable, generated
  std::string label;  // credpool never makes a duplicate; files other tools wrote may hold some
  int priority = 0;   // the stored sort key: lower first, ties in file order; gaps are kept
  AuthType auth_type = AuthType::ApiKey;
  std::string source = "manual";  // manual | env:VAR | config:<name> | manual:device_code ...
  Secret access_token;            // empty for a borrowed row whose source is not hydrated
  Secret refresh_token;
  std::optional<WallTime> expires_at;  // OAuth access-token expiry
  std::string base_url;                // empty: the provider's configured default
  std::uint64_t request_count = 0;
  std::optional<Exhaustion> exhaustion;
  int failure_streak = 0;  // consecutive failures without a provider reset; doubles the wait
  std::optional<WallTime> status_cleared_at;        // last explicit reset; older failures are void
  std::map<std::string, WallTime> model_cooldowns;  // model -> until
  std::optional<WallTime> last_used_at;
};

// Returns the credential's exhaustion when it is in force, else null: a failure older than
// status_cleared_at was cleared by a reset (here or in another program sharing the home, which
// may not have removed the record itself), DESIGN.md "Pinned details".
const Exhaustion* exhaustion_in_force(const Credential& credential);

// Returns the credential's health at `now`: Dead if its exhaustion in force is dead, Cooling while
// it has not reached resets_at, else Ok. Model cooldowns are not counted.
Health health_at(const Credential& credential, WallTime now);

}  // namespace credpool::core
