#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string_view>

#include "core/clock.h"
#include "core/cooldown_policy.h"
#include "core/credential.h"
#include "core/failure.h"
#include "core/random.h"

namespace credpool::core {

// What the attempt loop does after one failed attempt.
enum class NextStep {
  RotateNow,         // select another credential of the same pool at once (no retry budget used)
  RetrySameAfter,    // wait Recovery::wait, then retry the same credential
  RefreshThenRetry,  // refresh the OAuth token (adopting newer ones from the store), then retry
  FallBack,          // go to the next step of the route (another provider or model)
  ReturnToClient,    // answer the client now: the upstream's own answer (the request is at
                     // fault, or nothing recognised it), or 504 after a timeout
};

// Returns the name ("rotate_now", ...), for logs and tests.
std::string_view to_string(NextStep step);
std::ostream& operator<<(std::ostream& os, NextStep step);

// OAuth refreshes of one credential per request before it is marked (reference §3.3, #26080).
inline constexpr int kMaxRefreshesPerCredential = 2;
// Transient (overloaded/server/timeout) retries of one credential, and their waits before
// jitter (DESIGN.md "Pinned details").
inline constexpr int kMaxTransientRetries = 2;
inline constexpr std::chrono::milliseconds kTransientBackoff[kMaxTransientRetries] = {
    std::chrono::milliseconds(250), std::chrono::milliseconds(1000)};
// The sole credential's 429 is retried only when the provider asks for at most this long, and
// no request sleeps longer than kMaxTotalWait in all (DESIGN.md "Pinned details").
inline constexpr std::chrono::milliseconds kMaxSoleRetryWait = std::chrono::seconds(5);
inline constexpr std::chrono::milliseconds kMaxTotalWait = std::chrono::seconds(5);

// What the attempt loop knows about the failed attempt's credential within this request.
// Counters count what happened *before* this failure.
struct AttemptContext {
  bool another_credential_usable = false;  // for this request's model, in this attempt's pool
  AuthType auth_type = AuthType::ApiKey;
  int rate_limits_on_this_credential = 0;  // earlier 429s (rate_limit) of this credential
  int transient_retries_on_this_credential = 0;
  int refreshes_done = 0;       // OAuth refreshes of this credential in this request
  bool refresh_failed = false;  // the failure comes from a refresh (then never refresh again)
  int failure_streak = 0;       // Credential::failure_streak
  std::chrono::milliseconds waited_so_far{0};  // total sleep of this request so far
};

// The decision: what to do next and what happens to the credential.
struct Recovery {
  NextStep next = NextStep::FallBack;
  // Empty: the credential is not at fault and keeps its state. Else mark it (make_exhaustion),
  // or, when model_scoped, set a model cooldown until cooldown->until instead.
  std::optional<Cooldown> cooldown;
  std::chrono::milliseconds wait{0};  // for RetrySameAfter, before jitter
  bool model_scoped = false;
  std::string_view note;  // a hint for people ("re-auth required"); static storage
};

// Decides what follows one failed attempt: the DESIGN.md recovery table and its pinned details,
// in one pure function. `now` is wall time: cooldowns are persisted and shared. When the table
// says "rotate" but no other credential is usable, the answer is FallBack (the table's last row).
Recovery decide_recovery(const Failure& failure, const AttemptContext& attempt,
                         const CooldownPolicy& policy, WallTime now);

// Returns `wait` plus up to 20 % more, so that clients retrying together do not retry in step.
// Jitter only adds: a wait the provider asked for is never shortened. The added part is cut to
// `room - wait` so that the whole stays within the request's sleep budget (`room` is what is left
// of kMaxTotalWait); a `wait` already beyond `room` is returned unchanged.
std::chrono::milliseconds jittered(std::chrono::milliseconds wait, std::chrono::milliseconds room,
                                   Random& random);

}  // namespace credpool::core
