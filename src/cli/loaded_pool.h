#pragma once

#include <string>
#include <string_view>

#include "cli/session.h"
#include "core/pool.h"
#include "core/result.h"
#include "store/store.h"

namespace credpool::cli {

// One pool as a command sees it: seeded from the environment, hydrated.
struct LoadedPool {
  std::string key;       // the canonical pool key ("openai")
  std::string home_key;  // the key the home's auth.json uses for it ("openai-api" or "openai")
  core::Pool pool;
};

// Resolves PROVIDER and loads its pool (seeding first). Fails with "unknown provider" (and a
// did-you-mean) or as the store does.
Result<LoadedPool> load_pool(Session& session, std::string_view provider);

// Resolves TARGET in a pool: id, then label, then 1-based index, trimmed and case-insensitive.
// The error names the target and the pool.
Result<const core::Credential*> resolve_target(const LoadedPool& loaded, std::string_view target);

// Returns the 1-based index `auth list` shows for a credential of `pool` (its position in
// priority order; priorities themselves may have gaps).
int display_index(const core::Pool& pool, const core::Credential& credential);

}  // namespace credpool::cli
