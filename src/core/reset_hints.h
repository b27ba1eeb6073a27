#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.h"
#include "core/failure.h"

namespace credpool::core {

// When a provider says a credential may be used again, read from one failed response.
struct ResetHints {
  // The provider's reset: the first source whose time is after now; when none is, the first
  // whose time has already passed (at or before now). Not clamped: compute_cooldown applies
  // CooldownPolicy::max_cooldown.
  std::optional<WallTime> resets_at;
  // The wait the provider explicitly asked for (Retry-After, retryDelay, "retry after 30s").
  std::optional<std::chrono::milliseconds> retry_after;
  // Where resets_at came from, for `credpool explain`: "retry-after", "body.resets_at",
  // "x-ratelimit-reset-tokens", "message", ... ; empty when there is none. Static storage.
  std::string_view source;
};

// Reads every reset hint a response carries and picks one. Sources, most specific first; the
// first that gives a time after `now` sets resets_at (else the first that gives any time):
//   1. body `resets_at` / `reset_at` / `retry_until` (epoch s, epoch ms or ISO 8601; Codex),
//   2. body `resets_in_seconds` (Codex usage limits),
//   3. body `retry_after` (seconds or a duration),
//   4. body Google `error.details[].retryDelay` ("13s", RetryInfo),
//   5. header `retry-after-ms`, then `Retry-After` (seconds or HTTP date),
//   6. headers `x-ratelimit-reset-requests` / `-tokens` (durations like "6m0s"; OpenAI, Groq),
//   7. header `x-ratelimit-reset` (a delta when below 1e9, else an epoch; never epoch 60),
//   8. headers `anthropic-ratelimit-*-reset` (RFC 3339, or epoch for the unified limits),
//   9. the message text ("retry after 30 seconds", "Please try again in 20s",
//      "quotaResetDelay: 500ms", "resets in 4hr 5min"), an explicit retry beating "resets in".
// Where several limits of one family exist (requests and tokens), the one whose `remaining` is 0
// wins, else the latest. retry_after comes from the first source that is an explicit wait
// (3, 4, 5, or a "retry" phrase of 9), even when resets_at came from an earlier one.
// `body` is the parsed JSON body or null; the fields are looked up in `body.error` and `body`.
// `message` is the provider's error text. Never throws; malformed values are ignored.
ResetHints parse_reset_hints(const HeaderList& headers, const nlohmann::json& body,
                             std::string_view message, WallTime now);

// Reads a numeric reset value the way header and body fields need it: <= 0 is none, below 1e9 a
// delta in seconds from now (no reset is in 2001), above 1e12 epoch milliseconds, else epoch
// seconds. Returns an unclamped time.
std::optional<WallTime> time_from_number(double value, WallTime now);

// Finds a delay in free text; sets `is_wait` when it was an explicit retry request rather than a
// "resets in" window. Returns nullopt when no grammar matches.
std::optional<std::chrono::milliseconds> parse_message_delay(std::string_view message,
                                                             bool* is_wait = nullptr);

}  // namespace credpool::core
