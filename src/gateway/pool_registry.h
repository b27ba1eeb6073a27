#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/credential.h"
#include "core/ledger/ledger_action.h"
#include "core/strategy.h"
#include "gateway/metrics.h"
#include "gateway/rate_limit_remaining.h"
#include "store/store.h"
#include "views/pool_view.h"

namespace credpool::gateway {

// A copy of one pool for listings (the views layer builds the JSON the CLI shows too).
using PoolView = views::PoolView;

// What one attempt needs from the credential it drew: a copy, so no lock is held while the
// request is in flight.
struct PickedCredential {
  std::string id;
  std::string label;
  core::Secret secret;
  std::string base_url;  // the entry's own; empty: the provider's configured one
  core::AuthType auth_type = core::AuthType::ApiKey;
  int failure_streak = 0;
};

// The live, in-memory state of every pool: one core::Pool per pool key, the picks' request-count
// deltas not yet written, and the remaining budgets providers reported. It never touches the
// store; changes that must be persisted are handed to a `Persist` callback (the StoreWriter).
// Thread-safe: one mutex per pool, held only around a core call (and the Persist callback, so a
// re-read rebuilding that pool either sees the change queued or runs after it was written);
// the pool map has its own shared mutex. Lock order: a pool's mutex, then the writer's queue.
class PoolRegistry {
 public:
  // Receives a change to persist; called with the pool's mutex held: keep it short.
  using Persist = std::function<void(store::Mutation)>;
  // Returns the changes of `pool` queued or not yet written; called during rebuild() with that
  // pool's mutex held.
  using Pending = std::function<std::vector<store::Mutation>(const std::string& pool)>;

  // `strategy_overrides` (config's credential_pool_strategies) beat the store's strategies.
  // `seed` seeds each pool's Random.
  PoolRegistry(std::map<std::string, core::Strategy> strategy_overrides, std::uint64_t seed);
  ~PoolRegistry();
  PoolRegistry(const PoolRegistry&) = delete;
  PoolRegistry& operator=(const PoolRegistry&) = delete;

  // Picks a credential of `pool` for `model` by the pool's strategy and counts the use.
  // nullopt when nothing is usable (or the pool is unknown); see exhausted().
  std::optional<PickedCredential> pick(const std::string& pool, std::string_view model,
                                       core::WallTime now);
  // Counts one more attempt with credential `id` that was not a fresh pick (a retry).
  void count_retry(const std::string& pool, const std::string& id);
  // Describes why `pool` has nothing usable for `model` at `now`.
  core::PoolShortage exhausted(const std::string& pool, std::string_view model, core::WallTime now);
  // Returns true when a credential other than `id` is usable in `pool` for `model` at `now`.
  bool another_usable(const std::string& pool, std::string_view id, std::string_view model,
                      core::WallTime now);

  // Marks a credential cooling or dead in memory and hands the mark (with the failure streak the
  // pool computed) to `persist`. Returns false (persisting nothing) for an unknown pool or id.
  bool mark(const std::string& pool, const std::string& id, const core::Exhaustion& exhaustion,
            const Persist& persist);
  // Sets a per-model cooldown in memory (keeps the later time; ignored when the credential was
  // reset after the failure at `at`) and hands it to `persist`.
  bool mark_model(const std::string& pool, const std::string& id, const std::string& model,
                  core::WallTime until, core::WallTime at, const Persist& persist);
  // Clears a failure streak after a success; persists only when there was one.
  void record_success(const std::string& pool, const std::string& id, const Persist& persist);
  // Keeps the latest remaining budget reported for a credential (memory only).
  void record_rate_limit_remaining(const std::string& pool, const std::string& id,
                                   const RateLimitRemaining& remaining);
  // Returns a copy of every recorded budget.
  RateLimitsByPool rate_limits();

  // Returns a copy of every pool, sorted by key.
  std::vector<PoolView> views(core::WallTime now);
  // Returns the credpool_credentials gauge rows at `now`.
  std::vector<CredentialGauge> gauges(core::WallTime now);

  // Takes the request-count deltas and cursor moves not yet written, as store mutations.
  std::vector<store::Mutation> take_counts(core::WallTime now);
  // Puts back counts that could not be written.
  void restore_counts(const std::vector<store::Mutation>& counts);
  // Rebuilds every pool from a fresh snapshot, re-applying what this process knows and the
  // store does not yet: unflushed counts and `pending` changes. Pools gone from the snapshot
  // become empty.
  void rebuild(const store::Snapshot& snapshot, const Pending& pending);

 private:
  struct Slot;
  Slot* find_slot(const std::string& pool);
  Slot& slot_for(const std::string& pool);
  std::vector<std::pair<std::string, Slot*>> all_slots();

  std::map<std::string, core::Strategy> strategy_overrides_;
  std::uint64_t seed_;
  std::shared_mutex pools_mutex_;  // guards the map's structure; each Slot has its own mutex
  std::map<std::string, std::unique_ptr<Slot>> pools_;
};

}  // namespace credpool::gateway
