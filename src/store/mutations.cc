#include "store/mutations.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <type_traits>
#include <utility>

#include "store/auth_json.h"

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

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// The label a seeded row gets: VAR, else VAR-2, VAR-3, ... (labels are unique per pool).
std::string free_label(const std::string& wanted, const std::vector<Credential>& rows) {
  auto taken = [&](const std::string& label) {
    return std::any_of(rows.begin(), rows.end(),
                       [&](const Credential& c) { return iequals(c.label, label); });
  };
  if (!taken(wanted)) return wanted;
  for (int n = 2;; ++n) {
    std::string candidate = wanted + "-" + std::to_string(n);
    if (!taken(candidate)) return candidate;
  }
}

// Runs `fn` on the row `id` of `pool` and on every other row holding the same secret (by value,
// or by the stored fingerprint of a borrowed row): one secret is one credential (DESIGN.md).
// Returns false when the id is unknown.
template <class Fn>
bool for_each_twin(Snapshot& s, const std::string& pool, const std::string& id, Fn fn) {
  const auto it = s.pools.find(pool);
  if (it == s.pools.end()) return false;
  PoolRecord& record = it->second;
  const auto self = std::find_if(record.credentials.begin(), record.credentials.end(),
                                 [&](const Credential& c) { return c.id == id; });
  if (self == record.credentials.end()) return false;
  const std::string fp = fingerprint_of(record, *self);
  bool applied = false;
  for (Credential& c : record.credentials) {
    if (c.id == id || (!fp.empty() && fingerprint_of(record, c) == fp)) applied |= fn(c);
  }
  return applied;
}

// Returns when an exhaustion stops blocking; a dead one never does.
WallTime end_of(const core::Exhaustion& e) { return e.dead ? WallTime::max() : e.resets_at; }

// Returns the row that makes a user's add a duplicate: a taken label (case-insensitive) or the
// same secret (DESIGN.md: `auth add` of a taken label or secret exits 1).
const Credential* duplicate_of(const PoolRecord& pool, const Credential& added) {
  const std::string fp =
      added.access_token.empty() ? std::string() : secret_fingerprint(added.access_token.reveal());
  for (const Credential& c : pool.credentials) {
    if (iequals(c.label, added.label)) return &c;
    if (!fp.empty() && fingerprint_of(pool, c) == fp) return &c;
  }
  return nullptr;
}

// True when seeding must not add this row: its source is there or suppressed, or its secret is
// already in the pool under another source (one secret, one credential).
bool seeded_already(const PoolRecord& pool, const Credential& seeded) {
  const auto& suppressed = pool.suppressed_sources;
  if (std::find(suppressed.begin(), suppressed.end(), seeded.source) != suppressed.end()) {
    return true;
  }
  const std::string fp = seeded.access_token.empty()
                             ? std::string()
                             : secret_fingerprint(seeded.access_token.reveal());
  return std::any_of(pool.credentials.begin(), pool.credentials.end(), [&](const Credential& c) {
    return c.source == seeded.source || (!fp.empty() && fingerprint_of(pool, c) == fp);
  });
}

bool apply_one(Snapshot& s, const AddCredential& m) {
  PoolRecord& pool = s.pools[m.pool];
  for (const Credential& c : pool.credentials) {
    // A retried write must not duplicate the row; another process may have added it already.
    if (c.id == m.credential.id) return false;
  }
  // Checked here, under the store's lock, so racing adds cannot both pass.
  Credential added = m.credential;
  if (m.clears_suppressions) {
    if (duplicate_of(pool, added) != nullptr) return false;
  } else {
    if (seeded_already(pool, added)) return false;
    added.label = free_label(added.label, pool.credentials);
  }
  if (m.position) {
    const auto size = static_cast<int>(pool.credentials.size());
    pool.credentials.insert(pool.credentials.begin() + std::clamp(*m.position, 0, size),
                            std::move(added));
    renumber(pool);
  } else {
    // Appended after the highest priority; the others keep theirs (DESIGN.md: no renumbering).
    int highest = -1;
    for (const Credential& c : pool.credentials) highest = std::max(highest, c.priority);
    added.priority = highest + 1;
    pool.credentials.push_back(std::move(added));
  }
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
  return for_each_twin(s, m.pool, m.id, [&](Credential& row) {
    const core::Exhaustion& mark = m.exhaustion;
    // A reset happened after this failure (here or in another process): the reset wins (§1.6
    // rule 2).
    if (row.status_cleared_at && *row.status_cleared_at > mark.at) return false;
    // A live cooldown on disk that ends later was set elsewhere from fresher information; a
    // stale snapshot must not shorten it (§1.6 rule 7).
    if (const core::Exhaustion* disk = core::exhaustion_in_force(row)) {
      const bool disk_live = disk->dead || disk->resets_at > mark.at;
      if (disk_live && end_of(*disk) > end_of(mark)) {
        row.failure_streak = std::max(row.failure_streak, m.failure_streak);
        return false;
      }
    }
    row.exhaustion = mark;
    row.failure_streak = m.failure_streak;
    return true;
  });
}

bool apply_one(Snapshot& s, const SetModelCooldown& m) {
  return for_each_twin(s, m.pool, m.id, [&](Credential& row) {
    // A model failure from before the last reset must not re-cool the credential after it.
    if (m.at && row.status_cleared_at && *row.status_cleared_at > *m.at) return false;
    auto [it, inserted] = row.model_cooldowns.emplace(m.model, m.until);
    if (!inserted) it->second = std::max(it->second, m.until);
    return true;
  });
}

bool apply_one(Snapshot& s, const ResetCredential& m) {
  return for_each_twin(s, m.pool, m.id, [&](Credential& row) {
    // Never earlier than the failure it clears: other programs compare failures against it.
    // Only a strictly older failure is cleared, so the stamp goes just after it when needed.
    WallTime cleared = m.at;
    if (row.exhaustion)
      cleared = std::max(cleared, row.exhaustion->at + std::chrono::microseconds{1});
    if (row.status_cleared_at) cleared = std::max(cleared, *row.status_cleared_at);
    row.exhaustion.reset();
    row.model_cooldowns.clear();
    row.failure_streak = 0;
    row.status_cleared_at = cleared;
    return true;
  });
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

std::string fingerprint_of(const PoolRecord& pool, const core::Credential& credential) {
  if (!credential.access_token.empty()) return secret_fingerprint(credential.access_token.reveal());
  const auto it = pool.fingerprints.find(credential.id);
  return it == pool.fingerprints.end() ? std::string() : it->second;
}

bool apply_mutation(Snapshot& snapshot, const Mutation& mutation) {
  return std::visit([&](const auto& m) { return apply_one(snapshot, m); }, mutation);
}

void apply_mutations(Snapshot& snapshot, std::span<const Mutation> mutations) {
  for (const Mutation& m : mutations) apply_mutation(snapshot, m);
}

}  // namespace credpool::store
