#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/credential.h"
#include "core/random.h"
#include "core/result.h"
#include "core/strategy.h"

namespace credpool::core {

// The ordered credentials of one provider and how to pick among them.
// Invariants: ids are unique; entries() is sorted by priority (ties in input order), and
// priorities are kept as stored (gaps and ties too) except where add/remove/move_to renumber.
// Labels may repeat (a file Hermes Agent wrote may hold case variants): resolve() refuses an
// ambiguous one. A cooling, dead or unusable entry is never selected. Rows holding the same
// secret are one credential: a mark on one marks them all.
// "Usable" means: not dead, not cooling at `now`, not cooling for the requested model (with no
// model given, any live model cooldown blocks), and holding a secret (an unhydrated borrowed row
// has an empty access_token and is never selected).
// Picks do not scan the pool linearly (100k entries pick in well under a microsecond).
// Not thread-safe: the owner holds one mutex per pool around each call.
class Pool {
 public:
  // Builds a pool; entries are stably sorted by priority, which is kept as given.
  // Fails (InvalidArgument) on a duplicate id. `cursor_id` is round_robin's last pick.
  // `random` is used only by the `random` strategy; it must outlive the pool (may be null
  // otherwise).
  static Result<Pool> from_entries(std::string key, std::vector<Credential> entries,
                                   Strategy strategy, std::optional<std::string> cursor_id,
                                   Random* random);

  Pool(Pool&&) noexcept;
  Pool& operator=(Pool&&) noexcept;
  ~Pool();

  const std::string& key() const;
  Strategy strategy() const;
  void set_strategy(Strategy strategy);
  // Returns the id of round_robin's last pick, if any.
  const std::optional<std::string>& cursor_id() const;

  // Picks the next credential by the pool's strategy and counts the use (request_count += 1,
  // last_used_at = now); round_robin moves its cursor. Returns null when nothing is usable.
  // The pointer stays valid until the next mutating call.
  const Credential* select(WallTime now, std::string_view model = {});
  // Returns what select() would pick, changing nothing. Under `random`, returns null.
  const Credential* peek(WallTime now, std::string_view model = {}) const;
  // Returns the earliest time something becomes usable, or nullopt when something is usable
  // now or nothing will ever be (only dead or unhydrated entries).
  std::optional<WallTime> next_available_at(WallTime now, std::string_view model = {}) const;
  // Returns how many entries are usable at `now` for `model`.
  std::size_t usable_count(WallTime now, std::string_view model = {}) const;
  // Returns true when an entry other than `id` is usable at `now` for `model`.
  bool another_usable(std::string_view id, WallTime now, std::string_view model = {}) const;

  // Marks an entry cooling (or dead) with this exhaustion, and every other entry holding the same
  // secret (one key reached through env and manual rows is one credential). An exhaustion whose
  // reset_source is Default also adds one to failure_streak (compute_cooldown doubles the next
  // wait by it). Returns false if the id is unknown.
  bool mark(std::string_view id, const Exhaustion& exhaustion);
  // Sets a per-model cooldown on an entry and its same-secret twins (keeps the later time).
  // `at`, when known, is when the failure happened: an entry reset after it is left alone.
  // False if the id is unknown.
  bool mark_model(std::string_view id, const std::string& model, WallTime until,
                  std::optional<WallTime> at = std::nullopt);
  // Clears exhaustion, model cooldowns and the failure streak of an entry and its same-secret
  // twins; sets status_cleared_at = now, or just after the cleared failure if that is later.
  bool reset(std::string_view id, WallTime now);
  // Records a successful attempt: clears the failure streak.
  bool record_success(std::string_view id);
  // Adds `delta` to an entry's request_count (used when merging other processes' counts).
  bool add_requests(std::string_view id, std::uint64_t delta);
  // Adopts new OAuth tokens (an empty refresh token keeps the old one). Clears an auth or dead
  // exhaustion, as a re-auth does; other cooldowns stay. False if the id is unknown.
  bool update_tokens(std::string_view id, Secret access_token, Secret refresh_token,
                     std::optional<WallTime> expires_at);

  // Appends an entry with priority = the highest + 1, or inserts it at 0-based `position`
  // (clamped) and renumbers 0..n-1 (DESIGN.md `auth add --priority`). Fails (AlreadyExists) on a
  // duplicate id or label (case-insensitive): credpool never creates a duplicate label.
  Result<void> add(Credential credential, std::optional<int> position = std::nullopt);
  // Removes an entry; the others are renumbered 0..n-1. Returns false if the id is unknown.
  bool remove(std::string_view id);
  // Moves an entry to 0-based position `position` (clamped); all are renumbered 0..n-1.
  bool move_to(std::string_view id, int position);

  // Resolves a user's TARGET, trimmed and case-insensitive: an id, then an exact label, then a
  // 1-based index in priority order. Fails (NotFound) naming the target and listing the labels,
  // or (InvalidArgument) when the label matches several entries, naming their ids and indexes.
  Result<const Credential*> resolve(std::string_view target) const;
  const Credential* find(std::string_view id) const;

  // Returns the entries in priority order.
  const std::vector<Credential>& entries() const;
  std::size_t size() const;

 private:
  struct State;
  explicit Pool(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace credpool::core
