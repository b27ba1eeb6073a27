#pragma once

// Internal to the Pool implementation (pool.cc, pool_index.cc); not for other layers.

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/pool.h"
#include "core/strategies/count_heap.h"
#include "core/strategies/random_members.h"
#include "core/usable_set.h"

namespace credpool::core {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Returns true when the entry holds a secret and is neither dead nor cooling at `now`
// (model cooldowns aside).
inline bool eligible(const Credential& c, WallTime now) {
  return !c.access_token.empty() && health_at(c, now) == Health::Ok;
}

// Returns the hash by_secret sorts on (the secret's own bytes never leave the entry).
inline std::size_t secret_hash(const Credential& c) {
  return std::hash<std::string_view>{}(c.access_token.reveal());
}

// Returns true when a live model cooldown blocks the entry for `model` (any model when empty).
bool model_blocked(const Credential& c, WallTime now, std::string_view model);

inline bool usable(const Credential& c, WallTime now, std::string_view model) {
  return eligible(c, now) && (c.model_cooldowns.empty() || !model_blocked(c, now, model));
}

// The pool's entries plus index structures kept in sync on every mutation.
// The index describes the pool as of `horizon`: `usable` holds exactly the entries eligible at
// `horizon`, and every entry cooling then has an item in `cooling`. Queries at a later `now`
// first admit the entries whose cooldown ended (advance), which is why the index is mutable:
// const queries may bring it up to date. A query at an earlier `now` (another thread's clock
// read a second late) keeps the index and checks each candidate against its own `now`.
struct Pool::State {
  struct CoolingItem {
    WallTime until;
    std::uint32_t pos;
    bool operator>(const CoolingItem& o) const { return until > o.until; }
  };

  std::string key;
  Strategy strategy = Strategy::FillFirst;
  std::optional<std::string> cursor_id;
  std::optional<std::uint32_t> cursor_pos;
  Random* random = nullptr;
  std::vector<Credential> entries;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> positions;
  std::size_t model_cooled = 0;  // entries whose model_cooldowns is not empty
  // (hash of the secret, position) of every entry holding one, sorted: finds same-secret twins.
  using SecretKey = std::pair<std::size_t, std::uint32_t>;
  std::vector<SecretKey> by_secret;

  mutable WallTime horizon = WallTime::min();
  mutable UsableSet usable_set;
  mutable CountHeap by_count;        // maintained only under least_used
  mutable RandomMembers random_set;  // maintained only under random
  mutable std::priority_queue<CoolingItem, std::vector<CoolingItem>, std::greater<>> cooling;

  // Rebuilds every index from the entries (O(n log n); rare ops). Priorities are left as stored.
  void rebuild();
  // Returns `pos` and the positions of every other entry holding the same secret (a binary
  // search in by_secret, so a mark stays cheap in a pool of 100k entries).
  std::vector<std::uint32_t> twins_of(std::uint32_t pos) const;
  // Adds or removes one entry's item in by_secret (its secret is about to change, or changed).
  void index_secret(std::uint32_t pos);
  void unindex_secret(std::uint32_t pos);
  // Rebuilds only the structure of the current strategy from usable_set.
  void rebuild_strategy_index();
  // Re-evaluates one entry after its exhaustion changed.
  void refresh(std::uint32_t pos);
  void admit(std::uint32_t pos) const;
  void evict(std::uint32_t pos) const;
  // Admits the entries whose cooldown ended by `now` (no-op when now <= horizon).
  void advance(WallTime now) const;

  // Returns the position the strategy picks at `now` for `model`, or nullopt. `random_pick`:
  // false for peek (random has no deterministic next).
  std::optional<std::uint32_t> pick(WallTime now, std::string_view model, bool random_pick) const;
  std::size_t count_usable(WallTime now, std::string_view model) const;
  std::optional<WallTime> earliest_reset(WallTime now, std::string_view model) const;
  const Credential* by_id(std::string_view id) const;
  std::optional<std::uint32_t> position_of(std::string_view id) const;
};

}  // namespace credpool::core
