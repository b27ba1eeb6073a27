#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/context.h"
#include "config/config.h"
#include "core/pool.h"
#include "core/result.h"
#include "store/seeding.h"
#include "store/store.h"

namespace credpool::cli {

// One command's view of config and store: loads config.yaml (printing its warnings on stderr),
// opens the FileStore in the home, seeds pools from the environment on every load.
// Blocking (file I/O and flock); one command at a time.
class Session {
 public:
  // Loads the config named by --config (missing: NotFound, naming it) or the home's config.yaml
  // (missing: defaults). Fails with the config's own message (file, line, key).
  static Result<Session> open(const Context& ctx);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const config::Config& config() const;
  store::Store& store();

  // Resolves a PROVIDER argument (id, alias, custom name, custom:<name>) to its pool key. Fails
  // (NotFound) with "unknown provider" and a did-you-mean when one is close.
  Result<std::string> pool_key(std::string_view provider) const;

  // Loads every pool, after adding env and config rows (saved without secrets), hydrated.
  Result<store::Snapshot> load();

  // Builds the core pool `key` of `snapshot` (empty when absent). The strategy is config.yaml's
  // override, else auth.json's, else fill_first.
  Result<core::Pool> pool_of(const store::Snapshot& snapshot, const std::string& key);

  // Applies mutations in one locked write and returns the state written (not hydrated).
  Result<store::Snapshot> apply(std::vector<store::Mutation> mutations);

 private:
  struct State;
  explicit Session(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Returns the pool keys to show for "every pool": those in the snapshot, in key order.
std::vector<std::string> pool_keys(const store::Snapshot& snapshot);

}  // namespace credpool::cli
