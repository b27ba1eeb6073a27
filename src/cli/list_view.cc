#include "cli/list_view.h"

#include <fmt/format.h>

#include "cli/duration_text.h"

namespace credpool::cli {

namespace {

using views::CredentialState;

constexpr std::string_view kEnvPrefix = "env:";

// Hermes' three display classes (reference §5), keyed on our classifier's reason.
std::string_view failure_class(core::FailureReason reason) {
  switch (reason) {
    case core::FailureReason::RateLimit:
    case core::FailureReason::UpstreamRateLimit:
      return "rate-limited";
    case core::FailureReason::Quota:
      return "quota exhausted";
    case core::FailureReason::Auth:
    case core::FailureReason::Forbidden:
      return "auth failed";
    case core::FailureReason::UpstreamBlocked:
    case core::FailureReason::Overloaded:
    case core::FailureReason::Server:
    case core::FailureReason::Timeout:
    case core::FailureReason::ContextOverflow:
    case core::FailureReason::ContentPolicy:
    case core::FailureReason::BadRequest:
    case core::FailureReason::Unknown:
      return "exhausted";
  }
  return "exhausted";
}

bool is_auth_failure(core::FailureReason reason) {
  return reason == core::FailureReason::Auth || reason == core::FailureReason::Forbidden;
}

std::string failure_head(const core::Exhaustion& e, std::string_view cls) {
  std::string out(cls);
  if (!e.error_code.empty()) out += " " + e.error_code;
  if (e.status_code != 0) out += fmt::format(" ({})", e.status_code);
  return out;
}

}  // namespace

std::string state_text(const core::Credential& credential, core::WallTime now) {
  const CredentialState state = views::state_at(credential, now);
  switch (state) {
    case CredentialState::Unavailable:
      if (credential.source.starts_with(kEnvPrefix)) {
        return fmt::format("unavailable ({} is not set)",
                           credential.source.substr(kEnvPrefix.size()));
      }
      return "unavailable (no secret)";
    case CredentialState::Dead:
    case CredentialState::Cooling:
    case CredentialState::Ok:
      break;
  }
  // Dead and Cooling always have a last failure (core::health_at); Ok may keep a passed one.
  // A failure a later reset cleared (status_cleared_at, perhaps by Hermes) is not shown.
  const core::Exhaustion* in_force = core::exhaustion_in_force(credential);
  if (in_force == nullptr) return "ok";
  const core::Exhaustion& e = *in_force;
  if (state == CredentialState::Dead) return failure_head(e, "dead") + " (re-auth required)";
  std::string out = failure_head(e, failure_class(e.reason));
  if (state == CredentialState::Ok) return out + " (ready to retry)";
  if (is_auth_failure(e.reason)) return out + " (re-auth may be required)";
  return out +
         fmt::format(" ({} left)",
                     duration_text(std::chrono::ceil<std::chrono::seconds>(e.resets_at - now)));
}

std::string render_text(const views::PoolView& view, core::WallTime now) {
  const std::size_t n = view.credentials.size();
  std::string out = fmt::format("{} ({} credential{}, strategy {}):\n", view.key, n,
                                n == 1 ? "" : "s", core::to_string(view.strategy));
  int index = 1;
  for (const core::Credential& c : view.credentials) {
    const std::string hint = c.access_token.empty() ? "-" : c.access_token.hint();
    std::string line = fmt::format("  #{:<3} {:<20} {:<7} id={} priority={} {} {} {}", index++,
                                   c.label, core::to_string(c.auth_type), c.id, c.priority,
                                   c.source, hint, state_text(c, now));
    for (const auto& [model, until] : c.model_cooldowns) {
      if (until > now) {
        line += fmt::format(" [{} cooling, {} left]", model,
                            duration_text(std::chrono::ceil<std::chrono::seconds>(until - now)));
      }
    }
    if (view.next_id == c.id) line += " ←";
    out += line + "\n";
  }
  return out;
}

}  // namespace credpool::cli
