#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/credential.h"
#include "core/result.h"
#include "core/strategy.h"

namespace credpool::store {

// The persisted facts of one pool (one key of auth.json's credential_pool).
struct PoolRecord {
  std::vector<core::Credential> credentials;  // sorted by priority (ties in file order)
  // Legacy auth.json credential_pool_strategies[key]: read, never written (config.yaml wins).
  std::optional<core::Strategy> strategy;
  std::optional<std::string> cursor_id;  // credential_pool_cursors[key]
  std::vector<std::string> suppressed_sources;
  // secret_fingerprint ("sha256:" + 16 hex) of rows stored without their secret (borrowed
  // sources), by id; lets the CLI refuse a key already in the pool before hydration.
  std::map<std::string, std::string> fingerprints;
  // The key this pool has in the file when it is not the snapshot's key: Hermes Agent stores the
  // OpenAI pool as "openai-api" (DESIGN.md), and then new rows go there. Empty: the same key.
  std::string home_key;
  // Rows stored under another key than the home key (an "openai" list next to "openai-api"), by
  // id: each row is written back under the key it was read from.
  std::map<std::string, std::string> row_keys;
};

// Everything the store holds that credpool reads, keyed by canonical pool key ("openai" for a
// file's "openai-api"). Unknown fields stay in the store's own copy.
struct Snapshot {
  std::map<std::string, PoolRecord> pools;
};

// Returns the key pool `pool` has in the file (its home_key), else `pool` itself.
std::string home_pool_key(const Snapshot& snapshot, const std::string& pool);

// Each change is expressed as an operation that the store applies to the state it re-reads under
// its lock, so concurrent writers merge instead of overwriting each other.
// A user's add (`auth add`, clears_suppressions) is skipped when the pool already holds its label
// (case-insensitive) or its secret; a seeded one (not clears_suppressions) is skipped when its
// source is present or suppressed or its secret is already there, and takes a free label (VAR-2).
// Both are decided on the state re-read under the store's lock, so racing adds cannot duplicate.
struct AddCredential {  // a user's add also clears the pool's suppressed sources (DESIGN.md)
  std::string pool;
  core::Credential credential;  // credential.priority is ignored: see `position`
  // Appended with priority = the highest + 1 unless set: then inserted at this 0-based position
  // (clamped) and the pool renumbered 0..n-1. An id already in the pool makes this a no-op.
  std::optional<int> position = std::nullopt;
  bool clears_suppressions = true;  // false for seeding, which must not undo `auth remove`
};
struct RemoveCredential {  // an env:/config: row's source joins suppressed_sources
  std::string pool;
  std::string id;
};
// Marks cooling or dead. A newer live cooldown already on disk is kept (a stale snapshot does not
// undo it), and a reset on disk newer than `exhaustion.at` wins.
struct MarkExhausted {
  std::string pool;
  std::string id;
  core::Exhaustion exhaustion{};
  int failure_streak = 0;
};
struct SetModelCooldown {  // keeps the later time
  std::string pool;
  std::string id;
  std::string model;
  core::WallTime until;
  // When the failure happened; a row reset after it is left alone. Unknown: always applied.
  std::optional<core::WallTime> at = std::nullopt;
};
struct ResetCredential {  // clears cooling, dead, model cooldowns, streak; status_cleared_at = at
  std::string pool;
  std::string id;
  core::WallTime at;
};
struct RecordSuccess {  // clears failure_streak
  std::string pool;
  std::string id;
};
struct AddRequestCount {  // adds a delta, so counts from several processes sum
  std::string pool;
  std::string id;
  std::uint64_t delta = 0;
  std::optional<core::WallTime> last_used_at = std::nullopt;
};
// Kept in the snapshot only: strategies are written to config.yaml (DESIGN.md), never auth.json.
struct SetStrategy {
  std::string pool;
  core::Strategy strategy;
};
struct SetCursor {
  std::string pool;
  std::string id;
};
struct MoveCredential {  // 0-based position, clamped; the others shift
  std::string pool;
  std::string id;
  int position = 0;
};
struct UpdateTokens {  // after an OAuth refresh; also clears an auth exhaustion
  std::string pool;
  std::string id;
  core::Secret access_token;
  core::Secret refresh_token;
  std::optional<core::WallTime> expires_at = std::nullopt;
};

using Mutation = std::variant<AddCredential, RemoveCredential, MarkExhausted, SetModelCooldown,
                              ResetCredential, RecordSuccess, AddRequestCount, SetStrategy,
                              SetCursor, MoveCredential, UpdateTokens>;

// Persistence of pools. Implementations: FileStore (auth.json), MemoryStore (tests), RedisStore.
// Methods block (file locks, fsync, network): call them only from the store thread or the CLI.
// Each implementation states its own thread safety.
class Store {
 public:
  virtual ~Store() = default;
  // Reads the current state. Fails (Corrupt) naming the path and position when it cannot parse.
  virtual Result<Snapshot> load() = 0;
  // Applies `mutations` atomically to the freshly re-read state, persists durably, and returns
  // the resulting state. Mutations naming an unknown pool or id are skipped (another process
  // may have removed the row). Never overwrites a store it cannot parse.
  virtual Result<Snapshot> apply(std::span<const Mutation> mutations) = 0;
};

}  // namespace credpool::store
