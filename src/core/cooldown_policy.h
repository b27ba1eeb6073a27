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
inline constexpr std::chrono::seconds kLongCooldown{3600};  // 429, 402, 403
inline constexpr std::chrono::seconds kSoleCooldown{60};    // 429, 403, sole credential
// Repeated failures without a provider reset double the wait up to this cap (DESIGN.md).
inline constexpr std::chrono::seconds kMaxBackoff = std::chrono::hours(24);
// Default of CooldownPolicy::max_cooldown (config `max_cooldown`, DESIGN.md): 31 days. No real
// limit window is longer (a monthly plan is the longest seen), and a garbled epoch must not bench
// a key for years.
inline constexpr std::chrono::seconds kDefaultMaxCooldown = std::chrono::days(31);

// When a failed credential may be tried again.
struct Cooldown {
  WallTime until{};
  ResetSource source = ResetSource::Default;
  bool dead = false;  // never expires on a timer; only a reset or a re-auth clears it
  // Set with ResetSource::ProviderClamped only: when a half-open probe re-checks the credential
  // before `until` (now + the default cooldown for the failure). Listings show it as probe_at.
  std::optional<WallTime> probe_at;

  friend bool operator==(const Cooldown&, const Cooldown&) = default;
};

// The default cooldown table plus the user's overrides (config `cooldowns:`; per provider under
// providers.X.cooldowns) and the longest provider reset believed (config `max_cooldown`). Plain
// data; copyable and safe to share read-only between threads.
struct CooldownPolicy {
  // Keys: an HTTP status ("429"), a failure reason ("rate_limit"); a reason key wins over a
  // status key. The same shape as config::Cooldowns.
  std::map<std::string, std::chrono::seconds> overrides;
  // The wait of the only usable credential for 429/403 (default kSoleCooldown), and of any
  // credential whose provider reset has already passed.
  std::optional<std::chrono::seconds> sole;
  // A provider reset further away than this is clamped to it (ResetSource::ProviderClamped).
  std::chrono::seconds max_cooldown = kDefaultMaxCooldown;

  // Builds a policy from a config table whose keys are statuses, reason names or "sole";
  // max_cooldown keeps its default (it is a config key of its own). Fails (InvalidArgument,
  // naming the key) on any other key or a negative wait.
  static Result<CooldownPolicy> from_table(
      const std::map<std::string, std::chrono::seconds>& table);

  // Returns the wait for `failure` when the provider gave no reset, before streak doubling.
  // `sole_usable`: no other credential of the pool is usable for this request. Total over every
  // reason, although the recovery table never cools the reasons that blame no key (5xx, request
  // faults, upstream failures, unknown): those share the 429 row.
  std::chrono::seconds base_wait(const Failure& failure, bool sole_usable) const;

  // Returns the sole wait: `sole` when set, else kSoleCooldown.
  std::chrono::seconds sole_wait() const;
};

// Computes how long a credential cools after `failure`. Pure; `now` is wall time because the
// result is persisted and shared between processes.
// - `failure.terminal` (revoked token, invalid_grant...) gives a dead cooldown, except for
//   rate_limit and quota, which never kill a credential (reference §2.6).
// - A provider reset beats any default in both directions and is never shortened: the later of
//   resets_at and now + retry_after (rounded up to a second), source Provider. Beyond
//   now + policy.max_cooldown it is clamped there, source ProviderClamped, with probe_at =
//   now + the default wait (base_wait, not doubled).
// - A provider reset already past (at or before now, no wait asked) cools only for the sole
//   wait (policy.sole_wait()), source Default: the provider said the limit is over, and a brief
//   pause keeps a stale or skewed reset from turning into a retry storm (reference §8.2.1).
// - Otherwise policy.base_wait doubled once per earlier failure in `failure_streak`, capped at
//   kMaxBackoff (or the base wait itself when that is longer), source Default.
Cooldown compute_cooldown(const Failure& failure, bool sole_usable, int failure_streak,
                          const CooldownPolicy& policy, WallTime now);

// Returns the exhaustion record to store for a failure cooled by `cooldown` at `now`.
Exhaustion make_exhaustion(const Failure& failure, const Cooldown& cooldown, WallTime now);

}  // namespace credpool::core
