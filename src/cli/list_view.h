#pragma once

#include <string>

#include "core/clock.h"
#include "core/credential.h"
#include "views/pool_view.h"

namespace credpool::cli {

// The human text of `auth list`, `status` and `explain`. The facts (state, next, JSON) come from
// views/pool_view.h, the one builder shared with `GET /admin/pools`; this file only words them.

// Returns a credential's human state at `now`: "ok", "rate-limited (429) (59m 30s left)", "dead
// token_revoked (re-auth required)", "rate-limited (429) (ready to retry)", "unavailable
// (VAR is not set)". Pure.
std::string state_text(const core::Credential& credential, core::WallTime now);

// Returns the human `auth list` block of one pool: a header line, one line per credential, the
// next pick marked with "←". Pure.
std::string render_text(const views::PoolView& view, core::WallTime now);

}  // namespace credpool::cli
