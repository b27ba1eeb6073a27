#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/credential.h"
#include "core/failure.h"
#include "core/result.h"

namespace credpool::core {

// Default waits when the provider gives no reset (DESIGN.md "Recovery policy"; the Hermes
// values of reference §2.3 and Appendix A).
inline constexpr std::chrono::seconds kAuthCooldown{300};   // 401
inline constexpr std::chrono::seconds kLongCooldown{3600};  // 429, 402, 403, unknown
inline constexpr std::chrono::seconds kSoleCooldown{60};    // 429, 403, unknown, sole credential
// Repeated failures without a provider reset double the wait up to this cap (DESIGN.md).
inline constexpr std::chrono::seconds kMaxBackoff = std::chrono::hours(24);
// A provider reset further away than this is clamped to it: no real limit window is longer
// (weekly plan limits are the longest seen), and a garbled epoch must not bench a key for years.
inline constexpr std::chrono::seconds kMaxProviderReset = std::chrono::hours(24 * 30);

// When a failed credential may be tried again.
struct Cooldown {
  WallTime until{};
  ResetSource source = ResetSource::Default;
  bool dead = false;  // never expires on a timer; only a reset or a re-auth clears it

  friend bool operator==(const Cooldown&, const Cooldown&) = default;
};

// The default cooldown table plus the user's overrides (config `cooldowns:`; per provider under
// providers.X.cooldowns). Plain data; copyable and safe to share read-only between threads.
struct CooldownPolicy {
  // Keys: an HTTP status ("429"), a failure reason ("rate_limit"); a reason key wins over a
  // status key. The same shape as config::Cooldowns.
  std::map<std::string, std::chrono::seconds> overrides;
  // The wait of the only usable credential for 429/403/unknown (default kSoleCooldown).
  std::optional<std::chrono::seconds> sole;

  // Builds a policy from a config table whose keys are statuses, reason names or "sole".
  // Fails (InvalidArgument, naming the key) on any other key or a negative wait.
  static Result<CooldownPolicy> from_table(
      const std::map<std::string, std::chrono::seconds>& table);

  // Returns the wait for `failure` when the provider gave no reset, before streak doubling.
  // `sole_usable`: no other credential of the pool is usable for this request.
  std::chrono::seconds base_wait(const Failure& failure, bool sole_usable) const;
};

// Computes how long a credential cools after `failure`. Pure; `now` is wall time because the
// result is persisted and shared between processes.
// - `failure.terminal` (revoked token, invalid_grant...) gives a dead cooldown, except for
//   rate_limit and quota, which never kill a credential (reference §2.6).
// - A provider reset (resets_at, else retry_after) beats any default in both directions, clamped.
// - Otherwise policy.base_wait doubled once per earlier failure in `failure_streak`, capped at
//   kMaxBackoff (or the base wait itself when that is longer).
Cooldown compute_cooldown(const Failure& failure, bool sole_usable, int failure_streak,
                          const CooldownPolicy& policy, WallTime now);

// Returns the exhaustion record to store for a failure cooled by `cooldown` at `now`.
Exhaustion make_exhaustion(const Failure& failure, const Cooldown& cooldown, WallTime now);

}  // namespace credpool::core
