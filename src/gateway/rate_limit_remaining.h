#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/failure.h"

namespace credpool::gateway {

// The latest remaining budget a provider reported for one credential, kept in memory only so a
// strategy can later steer away from a key before it gets a 429. A field is empty when the
// provider did not send it in that response.
struct RateLimitRemaining {
  std::optional<std::uint64_t> requests;
  std::optional<std::uint64_t> tokens;
  core::WallTime seen_at{};

  friend bool operator==(const RateLimitRemaining&, const RateLimitRemaining&) = default;
};

// Remaining budgets by pool key, then by credential id.
using RateLimitsByPool = std::map<std::string, std::map<std::string, RateLimitRemaining>>;

// Reads the remaining budgets from an upstream response's headers: OpenAI-style
// x-ratelimit-remaining-requests / -tokens, or Anthropic's anthropic-ratelimit-requests-remaining
// / -tokens-remaining (names case-insensitive, values non-negative integers; a malformed value
// counts as absent). Returns nullopt when neither budget is present. Pure.
std::optional<RateLimitRemaining> rate_limit_remaining_from(const core::HeaderList& headers,
                                                            core::WallTime now);

// Returns {"requests": N|null, "tokens": N|null, "seen_at": epoch seconds}, or null for none.
nlohmann::json rate_limit_json(const std::optional<RateLimitRemaining>& remaining);

// Sets "rate_limit_remaining" (rate_limit_json) on each credential object of a pools_json()
// value that has a record, matched by pool key and credential "id". Credentials without one are
// left as they are (no field, or the listing's own null): `auth list --json` cannot know these
// memory-only values, and /admin/pools must equal it until a provider reported some. Pure.
void add_rate_limit_remaining(nlohmann::json& pools, const RateLimitsByPool& remaining);

}  // namespace credpool::gateway
