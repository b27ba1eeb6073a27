#include "cli/load_views.h"

namespace credpool::cli {

Result<std::vector<views::PoolView>> load_views(Session& session,
                                                  const std::optional<std::string>& only,
                                                  core::WallTime now) {
  Result<store::Snapshot> snapshot = session.load();
  if (!snapshot) return snapshot.error();
  const std::vector<std::string> keys =
      only ? std::vector<std::string>{*only} : pool_keys(*snapshot);
  std::vector<views::PoolView> views;
  for (const std::string& key : keys) {
    Result<core::Pool> pool = session.pool_of(*snapshot, key);
    if (!pool) return pool.error();
    views.push_back(views::view_of(*pool, now));
    // Listed under the key the home uses ("openai-api" when Hermes made it), DESIGN.md.
    views.back().key = store::home_pool_key(*snapshot, key);
  }
  return views;
}

}  // namespace credpool::cli
