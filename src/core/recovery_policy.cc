#include "core/recovery_policy.h"

namespace credpool::core {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kReauthRequired = "re-auth required";

// Marks the credential (or, for a per-model limit, its model) and moves on: to another
// credential when one is usable, else to the next route step.
Recovery cool_and_rotate(const Failure& failure, const AttemptContext& attempt,
                         const CooldownPolicy& policy, WallTime now) {
  const bool sole = !attempt.another_credential_usable;
  // A model cooldown does not feed the credential-wide streak: the credential is still healthy.
  const int streak = failure.model_scoped ? 0 : attempt.failure_streak;
  const Cooldown cooldown = compute_cooldown(failure, sole, streak, policy, now);
  Recovery r;
  r.next = sole ? NextStep::FallBack : NextStep::RotateNow;
  r.cooldown = cooldown;
  r.model_scoped = failure.model_scoped && !cooldown.dead;
  return r;
}

// Returns the wait the provider asked for, if it gave one.
std::optional<milliseconds> provider_wait(const Failure& failure, WallTime now) {
  if (failure.retry_after) return std::max(*failure.retry_after, milliseconds(0));
  if (failure.resets_at && *failure.resets_at > now) {
    return std::chrono::duration_cast<milliseconds>(*failure.resets_at - now);
  }
  return std::nullopt;
}

// The only usable credential got a 429: wait and retry once if the provider's wait is short,
// otherwise (or the second time) mark it and leave the pool (DESIGN.md "Pinned details").
Recovery sole_rate_limit(const Failure& failure, const AttemptContext& attempt,
                         const CooldownPolicy& policy, WallTime now) {
  const auto wait = provider_wait(failure, now);
  if (attempt.rate_limits_on_this_credential == 0 && wait && *wait <= kMaxSoleRetryWait &&
      attempt.waited_so_far + *wait <= kMaxTotalWait) {
    Recovery r;
    r.next = NextStep::RetrySameAfter;
    r.wait = *wait;
    return r;
  }
  return cool_and_rotate(failure, attempt, policy, now);
}

// Overloaded, server, connection failures: not the credential's fault, so never a mark.
Recovery transient(const AttemptContext& attempt) {
  const int done = attempt.transient_retries_on_this_credential;
  Recovery r;
  r.next = NextStep::FallBack;
  if (done >= 0 && done < kMaxTransientRetries) {
    const milliseconds wait = kTransientBackoff[done];
    if (attempt.waited_so_far + wait <= kMaxTotalWait) {
      r.next = NextStep::RetrySameAfter;
      r.wait = wait;
    }
  }
  return r;
}

Recovery return_to_client() {
  Recovery r;
  r.next = NextStep::ReturnToClient;
  return r;
}

}  // namespace

std::string_view to_string(NextStep step) {
  switch (step) {
    case NextStep::RotateNow:
      return "rotate_now";
    case NextStep::RetrySameAfter:
      return "retry_same_after";
    case NextStep::RefreshThenRetry:
      return "refresh_then_retry";
    case NextStep::FallBack:
      return "fall_back";
    case NextStep::ReturnToClient:
      return "return_to_client";
  }
  return "fall_back";
}

std::ostream& operator<<(std::ostream& os, NextStep step) { return os << to_string(step); }

Recovery decide_recovery(const Failure& failure, const AttemptContext& attempt,
                         const CooldownPolicy& policy, WallTime now) {
  switch (failure.reason) {
    case FailureReason::RateLimit:
      if (attempt.another_credential_usable) return cool_and_rotate(failure, attempt, policy, now);
      return sole_rate_limit(failure, attempt, policy, now);
    case FailureReason::Quota:
      return cool_and_rotate(failure, attempt, policy, now);
    case FailureReason::Forbidden: {
      Recovery r = cool_and_rotate(failure, attempt, policy, now);
      r.note = kReauthRequired;
      return r;
    }
    case FailureReason::Auth: {
      if (attempt.auth_type == AuthType::OAuth && !attempt.refresh_failed &&
          attempt.refreshes_done < kMaxRefreshesPerCredential) {
        Recovery r;
        r.next = NextStep::RefreshThenRetry;
        return r;
      }
      Recovery r = cool_and_rotate(failure, attempt, policy, now);
      r.note = kReauthRequired;
      return r;
    }
    case FailureReason::UpstreamRateLimit:  // the aggregator's upstream is limited, not the key
    case FailureReason::UpstreamBlocked: {  // a WAF/CDN page: the key is untouched (ref §3.5)
      Recovery r;
      r.next = NextStep::FallBack;
      return r;
    }
    case FailureReason::Overloaded:
    case FailureReason::Server:
      return transient(attempt);
    case FailureReason::Timeout:  // the upstream may still be working: 504 now, never a retry
      return return_to_client();
    case FailureReason::ContextOverflow:  // the request is at fault, not the key
    case FailureReason::ContentPolicy:
    case FailureReason::BadRequest:
      return return_to_client();
    case FailureReason::Unknown:  // nothing recognised it: never bench a key on a guess
      return return_to_client();
  }
  return return_to_client();
}

milliseconds jittered(milliseconds wait, milliseconds room, Random& random) {
  const auto spread = std::min(wait.count() / 5, room.count() - wait.count());
  if (spread <= 0) return wait;
  const auto extra = static_cast<long long>(random.below(static_cast<std::uint64_t>(spread + 1)));
  return milliseconds(wait.count() + extra);
}

}  // namespace credpool::core
