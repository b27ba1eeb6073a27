#pragma once

#include <chrono>

#include "core/cooldown_policy.h"
#include "core/failure.h"

namespace credpool::fixtures {

// A fixed wall time for decisions that depend on `now`.
inline const core::WallTime kNoon = core::from_epoch(1'700'000'000);
// The default cooldown table, no overrides.
inline const core::CooldownPolicy kDefaults{};

// Returns a failure with only its reason and HTTP status set.
inline core::Failure failure(core::FailureReason reason, int status) {
  core::Failure f;
  f.reason = reason;
  f.status_code = status;
  return f;
}

}  // namespace credpool::fixtures
