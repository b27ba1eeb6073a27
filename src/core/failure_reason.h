#pragma once

#include <optional>
#include <ostream>
#include <string_view>

namespace credpool::core {

// The classifier's verdict on one failed attempt (DESIGN.md "failure reason").
enum class FailureReason {
  RateLimit,          // 429 of this key
  Quota,              // spent credit or plan: 402, insufficient_quota, usage_limit_reached
  Auth,               // 401: expired or invalid token
  Forbidden,          // 403: revoked or not allowed
  UpstreamRateLimit,  // an aggregator's upstream is limited, not the key
  UpstreamBlocked,    // a WAF/CDN page, not the key's fault
  Overloaded,         // 503/529 or "overloaded"/"at capacity"
  Server,             // other 5xx
  Timeout,
  ContextOverflow,
  ContentPolicy,
  BadRequest,
  Unknown,
};

// Returns the wire name ("rate_limit", "upstream_rate_limit", ...).
std::string_view to_string(FailureReason reason);
// Parses a wire name; also reads Hermes' "billing" and "billing_unverified" as Quota.
std::optional<FailureReason> parse_failure_reason(std::string_view text);
std::ostream& operator<<(std::ostream& os, FailureReason reason);

}  // namespace credpool::core
