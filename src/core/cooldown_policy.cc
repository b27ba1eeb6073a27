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

// The DESIGN.md table. Reasons the recovery policy never cools (5xx, request errors, upstream
// problems) share the unknown row so that the function stays total.
DefaultRow default_row(FailureReason reason) {
  switch (reason) {
    case FailureReason::Auth:
      return {kAuthCooldown, false};
    case FailureReason::Quota:
      return {kLongCooldown, false};
    case FailureReason::RateLimit:
    case FailureReason::Forbidden:
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

seconds ceil_seconds(std::chrono::milliseconds ms) { return std::chrono::ceil<seconds>(ms); }

// Returns the provider's reset, or nullopt when it gave none or gave an unusable one.
// A reset at or before `now` is treated as none (a clock skew or a stale header would otherwise
// make the key instantly usable again, reference §8.2.1); one beyond kMaxProviderReset is clamped.
std::optional<WallTime> provider_reset(const Failure& failure, WallTime now) {
  std::optional<WallTime> until;
  if (failure.resets_at && *failure.resets_at > now) {
    until = *failure.resets_at;
  } else if (failure.retry_after && failure.retry_after->count() > 0) {
    until = now + std::min<seconds>(ceil_seconds(*failure.retry_after), kMaxProviderReset);
  }
  if (until && *until > now + kMaxProviderReset) until = now + kMaxProviderReset;
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
  if (sole_usable && row.shorter_when_sole) wait = std::min(wait, sole.value_or(kSoleCooldown));
  return wait;
}

Cooldown compute_cooldown(const Failure& failure, bool sole_usable, int failure_streak,
                          const CooldownPolicy& policy, WallTime now) {
  const bool may_die =
      failure.reason != FailureReason::RateLimit && failure.reason != FailureReason::Quota;
  if (failure.terminal && may_die) return Cooldown{now, ResetSource::Default, true};
  if (auto until = provider_reset(failure, now)) {
    return Cooldown{*until, ResetSource::Provider, false};
  }
  const seconds base = policy.base_wait(failure, sole_usable);
  const seconds cap = std::max(kMaxBackoff, base);
  seconds wait = base;
  for (int i = 0; i < failure_streak && wait < cap; ++i) wait = std::min(wait * 2, cap);
  return Cooldown{now + wait, ResetSource::Default, false};
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
