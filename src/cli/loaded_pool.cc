#include "cli/loaded_pool.h"

#include <fmt/format.h>

namespace credpool::cli {

Result<LoadedPool> load_pool(Session& session, std::string_view provider) {
  Result<std::string> key = session.pool_key(provider);
  if (!key) return key.error();
  Result<store::Snapshot> snapshot = session.load();
  if (!snapshot) return snapshot.error();
  Result<core::Pool> pool = session.pool_of(*snapshot, *key);
  if (!pool) return pool.error();
  return LoadedPool{*key, store::home_pool_key(*snapshot, *key), std::move(*pool)};
}

Result<const core::Credential*> resolve_target(const LoadedPool& loaded, std::string_view target) {
  if (loaded.pool.size() == 0) {
    return Error{ErrorCode::NotFound, fmt::format("{} has no credentials", loaded.key)};
  }
  // core::Pool::resolve's error already names the pool and its labels.
  return loaded.pool.resolve(target);
}

int display_index(const core::Pool& pool, const core::Credential& credential) {
  const auto& entries = pool.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].id == credential.id) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace credpool::cli
