#include "core/failure_reason.h"

#include <array>
#include <utility>

namespace credpool::core {

namespace {
constexpr std::array<std::pair<FailureReason, std::string_view>, 13> kNames{{
    {FailureReason::RateLimit, "rate_limit"},
    {FailureReason::Quota, "quota"},
    {FailureReason::Auth, "auth"},
    {FailureReason::Forbidden, "forbidden"},
    {FailureReason::UpstreamRateLimit, "upstream_rate_limit"},
    {FailureReason::UpstreamBlocked, "upstream_blocked"},
    {FailureReason::Overloaded, "overloaded"},
    {FailureReason::Server, "server"},
    {FailureReason::Timeout, "timeout"},
    {FailureReason::ContextOverflow, "context_overflow"},
    {FailureReason::ContentPolicy, "content_policy"},
    {FailureReason::BadRequest, "bad_request"},
    {FailureReason::Unknown, "unknown"},
}};
}  // namespace

std::string_view to_string(FailureReason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

std::optional<FailureReason> parse_failure_reason(std::string_view text) {
  for (const auto& [r, name] : kNames) {
    if (name == text) return r;
  }
  // Hermes Agent writes its billing verdicts under these names (reference §1.2).
  if (text == "billing" || text == "billing_unverified") return FailureReason::Quota;
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, FailureReason reason) { return os << to_string(reason); }

}  // namespace credpool::core
