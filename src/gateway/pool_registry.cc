#include "gateway/pool_registry.h"

#include <mutex>
#include <type_traits>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "core/pool.h"
#include "core/random.h"

namespace credpool::gateway {
namespace {

// Applies a mark, model cooldown, reset or success to an in-memory pool; other mutations are
// the store's business (counts are tracked as deltas, structure comes from the next re-read).
void apply_in_memory(core::Pool& pool, const store::Mutation& mutation) {
  std::visit(
      [&pool](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, store::MarkExhausted>) {
          pool.mark(m.id, m.exhaustion);
        } else if constexpr (std::is_same_v<T, store::SetModelCooldown>) {
          pool.mark_model(m.id, m.model, m.until, m.at);
        } else if constexpr (std::is_same_v<T, store::ResetCredential>) {
          pool.reset(m.id, m.at);
        } else if constexpr (std::is_same_v<T, store::RecordSuccess>) {
          pool.record_success(m.id);
        }
      },
      mutation);
}

bool model_cooling(const core::Credential& c, std::string_view model, core::WallTime now) {
  for (const auto& [name, until] : c.model_cooldowns) {
    if (until > now && (model.empty() || name == model)) return true;
  }
  return false;
}

// Says why one credential is not usable for `model` at `now`, or nothing when it is.
std::optional<core::UnusableCredential> why_unusable(const core::Credential& c,
                                                     std::string_view model, core::WallTime now) {
  switch (core::health_at(c, now)) {
    case core::Health::Dead:
      return core::UnusableCredential{
          c.label, std::string(core::to_string(c.exhaustion->reason)) + " (dead)", std::nullopt};
    case core::Health::Cooling:
      return core::UnusableCredential{c.label, std::string(core::to_string(c.exhaustion->reason)),
                                      c.exhaustion->resets_at};
    case core::Health::Ok:
      break;
  }
  if (c.access_token.empty()) return core::UnusableCredential{c.label, "unavailable", std::nullopt};
  if (!model_cooling(c, model, now)) return std::nullopt;
  std::optional<core::WallTime> until;
  for (const auto& [name, t] : c.model_cooldowns) {
    if (t > now && (model.empty() || name == model) && (!until || t < *until)) until = t;
  }
  return core::UnusableCredential{c.label, "rate_limit (model " + std::string(model) + ")", until};
}

}  // namespace

struct PoolRegistry::Slot {
  std::mutex mutex;
  std::unique_ptr<core::SplitMixRandom> random;  // before `pool`: the pool points at it
  std::optional<core::Pool> pool;
  std::map<std::string, std::uint64_t> count_deltas;  // picks not yet flushed, by id
  std::optional<std::string> written_cursor;
  std::map<std::string, RateLimitRemaining> rate_limits;  // by id; memory only
  std::string listed_key;  // the key the home uses for this pool ("openai-api"), for listings
};

PoolRegistry::PoolRegistry(std::map<std::string, core::Strategy> strategy_overrides,
                           std::uint64_t seed)
    : strategy_overrides_(std::move(strategy_overrides)), seed_(seed) {}

PoolRegistry::~PoolRegistry() = default;

PoolRegistry::Slot* PoolRegistry::find_slot(const std::string& pool) {
  std::shared_lock lock(pools_mutex_);
  const auto it = pools_.find(pool);
  return it == pools_.end() ? nullptr : it->second.get();
}

PoolRegistry::Slot& PoolRegistry::slot_for(const std::string& pool) {
  if (Slot* slot = find_slot(pool)) return *slot;
  std::unique_lock lock(pools_mutex_);
  auto& slot = pools_[pool];
  if (!slot) {
    slot = std::make_unique<Slot>();
    slot->random = std::make_unique<core::SplitMixRandom>(seed_ ^ std::hash<std::string>{}(pool));
  }
  return *slot;
}

std::vector<std::pair<std::string, PoolRegistry::Slot*>> PoolRegistry::all_slots() {
  std::vector<std::pair<std::string, Slot*>> slots;
  std::shared_lock lock(pools_mutex_);
  for (const auto& [key, slot] : pools_) slots.emplace_back(key, slot.get());
  return slots;
}

std::optional<PickedCredential> PoolRegistry::pick(const std::string& pool, std::string_view model,
                                                   core::WallTime now) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return std::nullopt;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool) return std::nullopt;
  const core::Credential* c = slot->pool->select(now, model);
  if (c == nullptr) return std::nullopt;
  slot->count_deltas[c->id] += 1;
  return PickedCredential{c->id,       c->label,     c->access_token,
                          c->base_url, c->auth_type, c->failure_streak};
}

void PoolRegistry::count_retry(const std::string& pool, const std::string& id) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || !slot->pool->add_requests(id, 1)) return;
  slot->count_deltas[id] += 1;
}

core::PoolShortage PoolRegistry::exhausted(const std::string& pool, std::string_view model,
                                           core::WallTime now) {
  core::PoolShortage out;
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return out;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool) return out;
  out.configured = slot->pool->size();
  out.earliest_reset = slot->pool->next_available_at(now, model);
  for (const core::Credential& c : slot->pool->entries()) {
    if (auto why = why_unusable(c, model, now)) out.credentials.push_back(std::move(*why));
  }
  return out;
}

bool PoolRegistry::another_usable(const std::string& pool, std::string_view id,
                                  std::string_view model, core::WallTime now) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return false;
  std::scoped_lock lock(slot->mutex);
  return slot->pool && slot->pool->another_usable(id, now, model);
}

bool PoolRegistry::mark(const std::string& pool, const std::string& id,
                        const core::Exhaustion& exhaustion, const Persist& persist) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return false;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || !slot->pool->mark(id, exhaustion)) return false;
  const int streak = slot->pool->find(id)->failure_streak;
  persist(store::MarkExhausted{pool, id, exhaustion, streak});
  return true;
}

bool PoolRegistry::mark_model(const std::string& pool, const std::string& id,
                              const std::string& model, core::WallTime until, core::WallTime at,
                              const Persist& persist) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return false;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || !slot->pool->mark_model(id, model, until, at)) return false;
  persist(store::SetModelCooldown{pool, id, model, until, at});
  return true;
}

void PoolRegistry::record_success(const std::string& pool, const std::string& id,
                                  const Persist& persist) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool) return;
  const core::Credential* c = slot->pool->find(id);
  if (c == nullptr || c->failure_streak == 0) return;  // nothing to clear: no write
  slot->pool->record_success(id);
  persist(store::RecordSuccess{pool, id});
}

void PoolRegistry::record_rate_limit_remaining(const std::string& pool, const std::string& id,
                                               const RateLimitRemaining& remaining) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || slot->pool->find(id) == nullptr) return;
  slot->rate_limits[id] = remaining;
}

RateLimitsByPool PoolRegistry::rate_limits() {
  RateLimitsByPool out;
  for (const auto& [key, slot] : all_slots()) {
    std::scoped_lock lock(slot->mutex);
    if (!slot->rate_limits.empty()) out[key] = slot->rate_limits;
  }
  return out;
}

std::vector<PoolView> PoolRegistry::views(core::WallTime now) {
  std::vector<PoolView> out;
  for (const auto& [key, slot] : all_slots()) {
    std::scoped_lock lock(slot->mutex);
    if (slot->pool) out.push_back(::credpool::views::view_of(*slot->pool, now));
  }
  return out;
}

std::vector<CredentialGauge> PoolRegistry::gauges(core::WallTime now) {
  std::vector<CredentialGauge> out;
  for (const PoolView& view : views(now)) {
    std::map<std::string, std::uint64_t> by_state;
    for (const core::Credential& c : view.credentials)
      by_state[::credpool::views::state_of(c, now)] += 1;
    for (const auto& [state, count] : by_state) out.push_back({view.key, state, count});
  }
  return out;
}

std::vector<store::Mutation> PoolRegistry::take_counts(core::WallTime now) {
  std::vector<store::Mutation> out;
  for (const auto& [key, slot] : all_slots()) {
    std::scoped_lock lock(slot->mutex);
    for (const auto& [id, delta] : slot->count_deltas) {
      if (delta > 0) out.emplace_back(store::AddRequestCount{key, id, delta, now});
    }
    slot->count_deltas.clear();
    if (slot->pool && slot->pool->cursor_id() && slot->pool->cursor_id() != slot->written_cursor) {
      out.emplace_back(store::SetCursor{key, *slot->pool->cursor_id()});
      slot->written_cursor = slot->pool->cursor_id();
    }
  }
  return out;
}

void PoolRegistry::restore_counts(const std::vector<store::Mutation>& counts) {
  for (const store::Mutation& m : counts) {
    if (const auto* add = std::get_if<store::AddRequestCount>(&m)) {
      Slot& slot = slot_for(add->pool);
      std::scoped_lock lock(slot.mutex);
      slot.count_deltas[add->id] += add->delta;
    } else if (const auto* cursor = std::get_if<store::SetCursor>(&m)) {
      Slot& slot = slot_for(cursor->pool);
      std::scoped_lock lock(slot.mutex);
      slot.written_cursor.reset();
    }
  }
}

void PoolRegistry::rebuild(const store::Snapshot& snapshot, const Pending& pending) {
  for (const auto& [key, record] : snapshot.pools) {
    Slot& slot = slot_for(key);
    std::scoped_lock lock(slot.mutex);
    core::Strategy strategy = record.strategy.value_or(core::Strategy::FillFirst);
    if (const auto it = strategy_overrides_.find(key); it != strategy_overrides_.end()) {
      strategy = it->second;
    }
    // This process's own cursor wins: it moved since the last write.
    std::optional<std::string> cursor = record.cursor_id;
    if (slot.pool && slot.pool->cursor_id()) cursor = slot.pool->cursor_id();
    auto built =
        core::Pool::from_entries(key, record.credentials, strategy, cursor, slot.random.get());
    if (!built) {
      spdlog::warn("event=pool_rebuild_failed pool={} error=\"{}\"", key, built.error().message);
      continue;
    }
    for (const auto& [id, delta] : slot.count_deltas) built->add_requests(id, delta);
    if (pending) {
      for (const store::Mutation& m : pending(key)) apply_in_memory(*built, m);
    }
    slot.pool.emplace(std::move(*built));
    slot.listed_key = store::home_pool_key(snapshot, key);
    // A removed credential's budget goes with it.
    std::erase_if(slot.rate_limits,
                  [&slot](const auto& entry) { return slot.pool->find(entry.first) == nullptr; });
  }
  for (const auto& [key, slot] : all_slots()) {
    if (snapshot.pools.count(key) != 0) continue;
    std::scoped_lock lock(slot->mutex);
    if (slot->pool && slot->pool->size() > 0) {
      auto empty = core::Pool::from_entries(key, {}, slot->pool->strategy(), std::nullopt,
                                            slot->random.get());
      if (empty) slot->pool.emplace(std::move(*empty));
    }
  }
}

}  // namespace credpool::gateway
