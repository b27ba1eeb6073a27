#include "core/cooldown_policy.h"

#include <algorithm>
#include <charconv>

namespace credpool::core {

namespace {

using std::chrono::seconds;

bool is_status_key(std::string_view key) {
  int status = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), status);
  return ec == std::errc{} && end == key.data() + key.size() && key.size() == 3 && status >= 100 &&
         status <= 599;
}

struct DefaultRow {
  seconds wait;
  bool shorter_when_sole;
};

// The DESIGN.md table. Reasons the recovery table never cools (5xx, request faults, upstream
// failures, unknown) share the 429 row so that the function stays total; the row means nothing
// more than that.
DefaultRow default_row(FailureReason reason) {
  switch (reason) {
    case FailureReason::Auth:
      return {kAuthCooldown, false};
    case FailureReason::Quota:
      return {kLongCooldown, false};
    case FailureReason::RateLimit:
    case FailureReason::Forbidden:
      return {kLongCooldown, true};
    case FailureReason::Unknown:
    case FailureReason::UpstreamRateLimit:
    case FailureReason::UpstreamBlocked:
    case FailureReason::Overloaded:
    case FailureReason::Server:
    case FailureReason::Timeout:
    case FailureReason::ContextOverflow:
    case FailureReason::ContentPolicy:
    case FailureReason::BadRequest:
      return {kLongCooldown, true};
  }
  return {kLongCooldown, true};
}

// Returns when the provider said the credential may be used again, or nullopt when it said
// nothing: the later of resets_at and now + retry_after (rounded up to a second), so that no
// wait the provider asked for is shortened. May be at or before `now`. A retry_after far beyond
// max_cooldown is cut to just past it, which is still clamped, and keeps the sum defined.
std::optional<WallTime> provider_reset(const Failure& failure, seconds max_cooldown, WallTime now) {
  std::optional<WallTime> until = failure.resets_at;
  if (failure.retry_after) {
    const std::chrono::milliseconds wait = std::clamp<std::chrono::milliseconds>(
        *failure.retry_after, std::chrono::milliseconds{0}, max_cooldown + seconds(1));
    const WallTime asked = now + std::chrono::ceil<seconds>(wait);
    until = until ? std::max(*until, asked) : asked;
  }
  return until;
}

}  // namespace

Result<CooldownPolicy> CooldownPolicy::from_table(const std::map<std::string, seconds>& table) {
  CooldownPolicy policy;
  for (const auto& [key, wait] : table) {
    if (wait.count() < 0) {
      return Error{ErrorCode::InvalidArgument, "cooldowns." + key + ": must not be negative"};
    }
    if (key == "sole") {
      policy.sole = wait;
    } else if (is_status_key(key) || parse_failure_reason(key)) {
      policy.overrides[key] = wait;
    } else {
      return Error{ErrorCode::InvalidArgument,
                   "cooldowns." + key + ": not an HTTP status, a failure reason or \"sole\""};
    }
  }
  return policy;
}

seconds CooldownPolicy::base_wait(const Failure& failure, bool sole_usable) const {
  const DefaultRow row = default_row(failure.reason);
  seconds wait = row.wait;
  if (auto it = overrides.find(std::string(to_string(failure.reason))); it != overrides.end()) {
    wait = it->second;
  } else if (failure.status_code != 0) {
    if (auto st = overrides.find(std::to_string(failure.status_code)); st != overrides.end()) {
      wait = st->second;
    }
  }
  // The sole rule only shortens: a retry soon is worth more than a long bench when there is no
  // other credential to use (reference §2.3), but a user's shorter override still applies.
  if (sole_usable && row.shorter_when_sole) wait = std::min(wait, sole_wait());
  return wait;
}

seconds CooldownPolicy::sole_wait() const { return sole.value_or(kSoleCooldown); }

Cooldown compute_cooldown(const Failure& failure, bool sole_usable, int failure_streak,
                          const CooldownPolicy& policy, WallTime now) {
  const bool may_die =
      failure.reason != FailureReason::RateLimit && failure.reason != FailureReason::Quota;
  if (failure.terminal && may_die) return Cooldown{now, ResetSource::Default, true, std::nullopt};
  const seconds base = policy.base_wait(failure, sole_usable);
  if (auto until = provider_reset(failure, policy.max_cooldown, now)) {
    if (*until <= now) {
      return Cooldown{now + policy.sole_wait(), ResetSource::Default, false, std::nullopt};
    }
    const WallTime limit = now + policy.max_cooldown;
    if (*until > limit) {
      return Cooldown{limit, ResetSource::ProviderClamped, false, std::min(now + base, limit)};
    }
    return Cooldown{*until, ResetSource::Provider, false, std::nullopt};
  }
  const seconds cap = std::max(kMaxBackoff, base);
  seconds wait = base;
  for (int i = 0; i < failure_streak && wait < cap; ++i) wait = std::min(wait * 2, cap);
  return Cooldown{now + wait, ResetSource::Default, false, std::nullopt};
}

Exhaustion make_exhaustion(const Failure& failure, const Cooldown& cooldown, WallTime now) {
  Exhaustion e;
  e.status_code = failure.status_code;
  e.reason = failure.reason;
  e.error_code = failure.error_code;
  e.message = failure.message;
  e.at = now;
  e.resets_at = cooldown.until;
  e.reset_source = cooldown.source;
  e.dead = cooldown.dead;
  return e;
}

}  // namespace credpool::core
