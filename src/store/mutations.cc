#include "store/mutations.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <utility>

namespace credpool::store {

namespace {

using core::Credential;
using core::WallTime;

void renumber(PoolRecord& pool) {
  int priority = 0;
  for (Credential& c : pool.credentials) c.priority = priority++;
}

Credential* find_row(Snapshot& snapshot, const std::string& pool, const std::string& id) {
  auto it = snapshot.pools.find(pool);
  if (it == snapshot.pools.end()) return nullptr;
  for (Credential& c : it->second.credentials) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// Returns when an exhaustion stops blocking; a dead one never does.
WallTime end_of(const core::Exhaustion& e) { return e.dead ? WallTime::max() : e.resets_at; }

bool apply_one(Snapshot& s, const AddCredential& m) {
  PoolRecord& pool = s.pools[m.pool];
  for (const Credential& c : pool.credentials) {
    // A retried write must not duplicate the row; another process may have added it already.
    if (c.id == m.credential.id) return false;
  }
  auto at = pool.credentials.end();
  if (m.position) {
    const auto size = static_cast<int>(pool.credentials.size());
    at = pool.credentials.begin() + std::clamp(*m.position, 0, size);
  }
  pool.credentials.insert(at, m.credential);
  renumber(pool);
  if (m.clears_suppressions) pool.suppressed_sources.clear();
  return true;
}

bool apply_one(Snapshot& s, const RemoveCredential& m) {
  auto it = s.pools.find(m.pool);
  if (it == s.pools.end()) return false;
  PoolRecord& pool = it->second;
  auto row = std::find_if(pool.credentials.begin(), pool.credentials.end(),
                          [&](const Credential& c) { return c.id == m.id; });
  if (row == pool.credentials.end()) return false;
  const std::string source = row->source;
  pool.credentials.erase(row);
  pool.fingerprints.erase(m.id);
  renumber(pool);
  // Seeded rows would come back on the next load; suppression records the user's choice
  // (reference §4.5).
  if (starts_with(source, "env:") || starts_with(source, "config:")) {
    auto& suppressed = pool.suppressed_sources;
    if (std::find(suppressed.begin(), suppressed.end(), source) == suppressed.end()) {
      suppressed.push_back(source);
    }
  }
  if (pool.cursor_id == m.id) pool.cursor_id.reset();
  return true;
}

bool apply_one(Snapshot& s, const MarkExhausted& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  const core::Exhaustion& mark = m.exhaustion;
  // Another process ran `auth reset` after this failure happened: the reset wins (§1.6 rule 2).
  if (row->status_cleared_at && *row->status_cleared_at > mark.at) return false;
  // A live cooldown on disk that ends later was set elsewhere from fresher information; a stale
  // snapshot must not shorten it (§1.6 rule 7).
  if (row->exhaustion) {
    const core::Exhaustion& disk = *row->exhaustion;
    const bool disk_live = disk.dead || disk.resets_at > mark.at;
    if (disk_live && end_of(disk) > end_of(mark)) {
      row->failure_streak = std::max(row->failure_streak, m.failure_streak);
      return false;
    }
  }
  row->exhaustion = mark;
  row->failure_streak = m.failure_streak;
  return true;
}

bool apply_one(Snapshot& s, const SetModelCooldown& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  auto [it, inserted] = row->model_cooldowns.emplace(m.model, m.until);
  if (!inserted) it->second = std::max(it->second, m.until);
  return true;
}

bool apply_one(Snapshot& s, const ResetCredential& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  row->exhaustion.reset();
  row->model_cooldowns.clear();
  row->failure_streak = 0;
  row->status_cleared_at = row->status_cleared_at ? std::max(*row->status_cleared_at, m.at) : m.at;
  return true;
}

bool apply_one(Snapshot& s, const RecordSuccess& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  row->failure_streak = 0;
  return true;
}

bool apply_one(Snapshot& s, const AddRequestCount& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  const std::uint64_t room = std::numeric_limits<std::uint64_t>::max() - row->request_count;
  row->request_count += std::min(m.delta, room);
  if (m.last_used_at) {
    row->last_used_at =
        row->last_used_at ? std::max(*row->last_used_at, *m.last_used_at) : *m.last_used_at;
  }
  return true;
}

bool apply_one(Snapshot& s, const SetStrategy& m) {
  s.pools[m.pool].strategy = m.strategy;
  return true;
}

bool apply_one(Snapshot& s, const SetCursor& m) {
  if (find_row(s, m.pool, m.id) == nullptr) return false;
  s.pools[m.pool].cursor_id = m.id;
  return true;
}

bool apply_one(Snapshot& s, const MoveCredential& m) {
  auto it = s.pools.find(m.pool);
  if (it == s.pools.end()) return false;
  auto& rows = it->second.credentials;
  auto row =
      std::find_if(rows.begin(), rows.end(), [&](const Credential& c) { return c.id == m.id; });
  if (row == rows.end()) return false;
  Credential moved = std::move(*row);
  rows.erase(row);
  const auto size = static_cast<int>(rows.size());
  rows.insert(rows.begin() + std::clamp(m.position, 0, size), std::move(moved));
  renumber(it->second);
  return true;
}

bool apply_one(Snapshot& s, const UpdateTokens& m) {
  Credential* row = find_row(s, m.pool, m.id);
  if (row == nullptr) return false;
  row->access_token = m.access_token;
  if (!m.refresh_token.empty()) row->refresh_token = m.refresh_token;
  row->expires_at = m.expires_at;
  // Fresh tokens answer an auth failure (even a dead one: the refresh proved the grant works).
  if (row->exhaustion && row->exhaustion->reason == core::FailureReason::Auth) {
    row->exhaustion.reset();
    row->failure_streak = 0;
  }
  return true;
}

}  // namespace

bool apply_mutation(Snapshot& snapshot, const Mutation& mutation) {
  return std::visit([&](const auto& m) { return apply_one(snapshot, m); }, mutation);
}

void apply_mutations(Snapshot& snapshot, std::span<const Mutation> mutations) {
  for (const Mutation& m : mutations) apply_mutation(snapshot, m);
}

}  // namespace credpool::store
