#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/session.h"
#include "core/clock.h"
#include "core/result.h"
#include "views/pool_view.h"

namespace credpool::cli {

// Loads (seeding first) and builds the views of one pool (`only`, shown even when empty) or of
// every pool in the store. Fails as the store or Pool::from_entries does.
Result<std::vector<views::PoolView>> load_views(Session& session,
                                                  const std::optional<std::string>& only,
                                                  core::WallTime now);

}  // namespace credpool::cli
