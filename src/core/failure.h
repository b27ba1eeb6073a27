#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/failure_reason.h"

namespace credpool::core {

// Response headers as received, names in any case. The same shape the http layer uses, so no
// conversion is needed between layers.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What one failed attempt means: the classifier's output, the recovery policy's input.
struct Failure {
  FailureReason reason = FailureReason::Unknown;
  int status_code = 0;     // HTTP status; 200 for a soft failure
  std::string error_code;  // provider's code or type ("insufficient_quota", "token_revoked")
  std::string message;     // provider's message, trimmed to 300 characters
  // The provider's reset, when it gave one: unclamped (compute_cooldown applies max_cooldown),
  // and at or before the failure's time when the provider's only reset had already passed.
  std::optional<WallTime> resets_at;
  std::optional<std::chrono::milliseconds> retry_after;  // provider's requested wait, if short-form
  bool terminal = false;      // the credential is dead (revoked token, invalid_grant, ...)
  bool model_scoped = false;  // the limit applies to this model only (Anthropic 429s)
};

}  // namespace credpool::core
