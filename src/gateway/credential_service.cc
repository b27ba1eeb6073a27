#include "gateway/credential_service.h"

#include <chrono>
#include <functional>
#include <future>
#include <iterator>
#include <type_traits>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "core/random.h"

namespace credpool::gateway {
namespace {

// The store is re-read this often, so another process's change shows within 1 s (DESIGN.md
// "State and durability").
constexpr auto kRefreshPeriod = std::chrono::seconds(1);
// A failed store write is retried this many times at once (then kept for the next batch).
constexpr int kWriteAttempts = 3;

const std::string& pool_of(const store::Mutation& mutation) {
  return std::visit([](const auto& m) -> const std::string& { return m.pool; }, mutation);
}

// Applies a mark, model cooldown, reset or success to an in-memory pool; other mutations are
// the store's business (counts are tracked as deltas, structure comes from the next re-read).
void apply_in_memory(core::Pool& pool, const store::Mutation& mutation) {
  std::visit(
      [&pool](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, store::MarkExhausted>) {
          pool.mark(m.id, m.exhaustion);
        } else if constexpr (std::is_same_v<T, store::SetModelCooldown>) {
          pool.mark_model(m.id, m.model, m.until);
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

}  // namespace

struct CredentialService::Slot {
  std::mutex mutex;
  std::unique_ptr<core::SplitMixRandom> random;  // before `pool`: the pool points at it
  std::optional<core::Pool> pool;
  std::map<std::string, std::uint64_t> count_deltas;  // picks not yet flushed, by id
  std::optional<std::string> written_cursor;
  std::map<std::string, RateLimitRemaining> rate_limits;  // by id; memory only
};

CredentialService::CredentialService(store::Store& store, const core::Clock& clock,
                                     std::map<std::string, core::Strategy> strategy_overrides,
                                     Hydrate hydrate, std::uint64_t seed)
    : store_(store),
      clock_(clock),
      strategy_overrides_(std::move(strategy_overrides)),
      hydrate_(std::move(hydrate)),
      seed_(seed) {}

CredentialService::~CredentialService() { stop(); }

void CredentialService::start(const store::Snapshot& initial) {
  rebuild(initial);
  store_thread_ = std::thread([this] { store_loop(); });
}

void CredentialService::stop() {
  {
    std::scoped_lock lock(queue_mutex_);
    if (!store_thread_.joinable()) return;
    stopping_ = true;
  }
  queue_cv_.notify_one();
  store_thread_.join();
}

void CredentialService::sync() {
  std::promise<void> written;
  auto future = written.get_future();
  {
    std::scoped_lock lock(queue_mutex_);
    if (!store_thread_.joinable() || stopping_) return;
    queue_.push_back(Job{{}, {}, [&written] { written.set_value(); }});
  }
  queue_cv_.notify_one();
  future.wait();
}

CredentialService::Slot* CredentialService::find_slot(const std::string& pool) {
  std::shared_lock lock(pools_mutex_);
  const auto it = pools_.find(pool);
  return it == pools_.end() ? nullptr : it->second.get();
}

CredentialService::Slot& CredentialService::slot_for(const std::string& pool) {
  if (Slot* slot = find_slot(pool)) return *slot;
  std::unique_lock lock(pools_mutex_);
  auto& slot = pools_[pool];
  if (!slot) {
    slot = std::make_unique<Slot>();
    slot->random = std::make_unique<core::SplitMixRandom>(seed_ ^ std::hash<std::string>{}(pool));
  }
  return *slot;
}

std::optional<PickedCredential> CredentialService::pick(const std::string& pool,
                                                        std::string_view model,
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

void CredentialService::count_retry(const std::string& pool, const std::string& id) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || !slot->pool->add_requests(id, 1)) return;
  slot->count_deltas[id] += 1;
}

PoolExhausted CredentialService::exhausted(const std::string& pool, std::string_view model,
                                           core::WallTime now) {
  PoolExhausted out;
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return out;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool) return out;
  out.configured = slot->pool->size();
  out.earliest_reset = slot->pool->next_available_at(now, model);
  for (const core::Credential& c : slot->pool->entries()) {
    switch (core::health_at(c, now)) {
      case core::Health::Dead:
        out.credentials.push_back({c.label,
                                   std::string(core::to_string(c.exhaustion->reason)) + " (dead)",
                                   std::nullopt});
        continue;
      case core::Health::Cooling:
        out.credentials.push_back(
            {c.label, std::string(core::to_string(c.exhaustion->reason)), c.exhaustion->resets_at});
        continue;
      case core::Health::Ok:
        break;
    }
    if (c.access_token.empty()) {
      out.credentials.push_back({c.label, "unavailable", std::nullopt});
    } else if (model_cooling(c, model, now)) {
      std::optional<core::WallTime> until;
      for (const auto& [name, t] : c.model_cooldowns) {
        if (t > now && (model.empty() || name == model) && (!until || t < *until)) until = t;
      }
      out.credentials.push_back({c.label, "rate_limit (model " + std::string(model) + ")", until});
    }
  }
  return out;
}

bool CredentialService::another_usable(const std::string& pool, std::string_view id,
                                       std::string_view model, core::WallTime now) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return false;
  std::scoped_lock lock(slot->mutex);
  return slot->pool && slot->pool->another_usable(id, now, model);
}

void CredentialService::record_exhaustion(const std::string& pool, const std::string& id,
                                          const core::Exhaustion& exhaustion, Done done) {
  Slot* slot = find_slot(pool);
  if (slot != nullptr) {
    std::scoped_lock lock(slot->mutex);
    if (slot->pool && slot->pool->mark(id, exhaustion)) {
      const int streak = slot->pool->find(id)->failure_streak;
      enqueue_locked_slot(
          Job{{store::MarkExhausted{pool, id, exhaustion, streak}}, std::move(done), {}});
      return;
    }
  }
  if (done) done(true);  // nothing to persist: the row is gone
}

void CredentialService::record_model_cooldown(const std::string& pool, const std::string& id,
                                              const std::string& model, core::WallTime until,
                                              Done done) {
  Slot* slot = find_slot(pool);
  if (slot != nullptr) {
    std::scoped_lock lock(slot->mutex);
    if (slot->pool && slot->pool->mark_model(id, model, until)) {
      enqueue_locked_slot(
          Job{{store::SetModelCooldown{pool, id, model, until}}, std::move(done), {}});
      return;
    }
  }
  if (done) done(true);
}

void CredentialService::record_success(const std::string& pool, const std::string& id) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool) return;
  const core::Credential* c = slot->pool->find(id);
  if (c == nullptr || c->failure_streak == 0) return;  // nothing to clear: no write
  slot->pool->record_success(id);
  enqueue_locked_slot(Job{{store::RecordSuccess{pool, id}}, {}, {}});
}

void CredentialService::record_rate_limit_remaining(const std::string& pool, const std::string& id,
                                                    const RateLimitRemaining& remaining) {
  Slot* slot = find_slot(pool);
  if (slot == nullptr) return;
  std::scoped_lock lock(slot->mutex);
  if (!slot->pool || slot->pool->find(id) == nullptr) return;
  slot->rate_limits[id] = remaining;
}

RateLimitsByPool CredentialService::rate_limits() {
  std::vector<std::pair<std::string, Slot*>> slots;
  {
    std::shared_lock lock(pools_mutex_);
    for (const auto& [key, slot] : pools_) slots.emplace_back(key, slot.get());
  }
  RateLimitsByPool out;
  for (const auto& [key, slot] : slots) {
    std::scoped_lock lock(slot->mutex);
    if (!slot->rate_limits.empty()) out[key] = slot->rate_limits;
  }
  return out;
}

// Queues a job; the caller holds the slot's mutex (lock order: slot, then queue), so a re-read
// rebuilding that slot either sees the job queued or runs after it was written.
void CredentialService::enqueue_locked_slot(Job job) {
  {
    std::scoped_lock lock(queue_mutex_);
    queue_.push_back(std::move(job));
  }
  queue_cv_.notify_one();
}

std::vector<PoolView> CredentialService::views(core::WallTime now) {
  std::vector<std::pair<std::string, Slot*>> slots;
  {
    std::shared_lock lock(pools_mutex_);
    for (const auto& [key, slot] : pools_) slots.emplace_back(key, slot.get());
  }
  std::vector<PoolView> out;
  for (const auto& [key, slot] : slots) {
    std::scoped_lock lock(slot->mutex);
    if (slot->pool) out.push_back(view_of(*slot->pool, now));
  }
  return out;
}

std::vector<CredentialGauge> CredentialService::gauges(core::WallTime now) {
  std::vector<CredentialGauge> out;
  for (const PoolView& view : views(now)) {
    std::map<std::string, std::uint64_t> by_state;
    for (const core::Credential& c : view.credentials) by_state[state_of(c, now)] += 1;
    for (const auto& [state, count] : by_state) out.push_back({view.key, state, count});
  }
  return out;
}

std::vector<store::Mutation> CredentialService::take_counts() {
  std::vector<store::Mutation> out;
  const auto now = clock_.wall_now();
  std::shared_lock map_lock(pools_mutex_);
  for (const auto& [key, slot] : pools_) {
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

void CredentialService::restore_counts(const std::vector<store::Mutation>& counts) {
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

// Rebuilds every pool from a fresh snapshot, re-adding what this process knows and the store
// does not yet: unflushed request counts and queued or unwritten marks. Store thread only.
void CredentialService::rebuild(const store::Snapshot& snapshot) {
  for (const auto& [key, record] : snapshot.pools) {
    Slot& slot = slot_for(key);
    std::scoped_lock lock(slot.mutex);
    std::vector<store::Mutation> pending;
    {
      std::scoped_lock queue_lock(queue_mutex_);
      for (const Job& job : queue_) {
        for (const store::Mutation& m : job.mutations) {
          if (pool_of(m) == key) pending.push_back(m);
        }
      }
    }
    for (const store::Mutation& m : unwritten_) {
      if (pool_of(m) == key) pending.push_back(m);
    }
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
    for (const store::Mutation& m : pending) apply_in_memory(*built, m);
    slot.pool.emplace(std::move(*built));
    // A removed credential's budget goes with it.
    std::erase_if(slot.rate_limits,
                  [&slot](const auto& entry) { return slot.pool->find(entry.first) == nullptr; });
  }
  std::shared_lock map_lock(pools_mutex_);
  for (const auto& [key, slot] : pools_) {
    if (snapshot.pools.count(key) != 0) continue;
    std::scoped_lock lock(slot->mutex);
    if (slot->pool && slot->pool->size() > 0) {
      auto empty = core::Pool::from_entries(key, {}, slot->pool->strategy(), std::nullopt,
                                            slot->random.get());
      if (empty) slot->pool.emplace(std::move(*empty));
    }
  }
}

// Writes one batch (earlier failed writes, the jobs' mutations, the count deltas) in a single
// store call, or only re-reads when there is nothing to write; then rebuilds the pools.
bool CredentialService::write_batch(std::vector<Job>& jobs) {
  std::vector<store::Mutation> mutations = unwritten_;
  for (Job& job : jobs) {
    for (store::Mutation& m : job.mutations) mutations.push_back(std::move(m));
  }
  const std::size_t marks = mutations.size();
  std::vector<store::Mutation> counts = take_counts();
  mutations.insert(mutations.end(), counts.begin(), counts.end());

  Result<store::Snapshot> result;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    result = mutations.empty() ? store_.load() : store_.apply(mutations);
    if (result) break;
    store_failures_.fetch_add(1);
    spdlog::warn("event=store_write_failed attempt={} error=\"{}\"", attempt + 1,
                 result.error().message);
    // Store thread: a short pause before retrying is fine here (never on an io thread).
    std::this_thread::sleep_for(std::chrono::milliseconds(50) * (attempt + 1));
  }
  const bool ok = result.has_value();
  if (ok) {
    unwritten_.clear();
    store::Snapshot snapshot = std::move(*result);
    if (hydrate_) hydrate_(snapshot);
    rebuild(snapshot);
  } else {
    restore_counts(counts);
    unwritten_.assign(mutations.begin(), mutations.begin() + static_cast<std::ptrdiff_t>(marks));
  }
  for (Job& job : jobs) {
    if (job.done) job.done(ok);
    if (job.barrier) job.barrier();
  }
  return ok;
}

void CredentialService::journal(JournalEvent event) {
  if (!journal_sink_) return;
  {
    std::scoped_lock lock(queue_mutex_);
    events_.push_back(std::move(event));
  }
  queue_cv_.notify_one();
}

// Writes queued jobs (or only re-reads, once a period), then hands queued journal events to the
// sink. Journal events alone do not cause a store re-read.
void CredentialService::store_loop() {
  std::unique_lock lock(queue_mutex_);
  auto next_read = std::chrono::steady_clock::now() + kRefreshPeriod;
  while (true) {
    queue_cv_.wait_until(lock, next_read,
                         [this] { return stopping_ || !queue_.empty() || !events_.empty(); });
    std::vector<Job> jobs(std::make_move_iterator(queue_.begin()),
                          std::make_move_iterator(queue_.end()));
    queue_.clear();
    std::vector<JournalEvent> events = std::move(events_);
    events_.clear();
    const bool last = stopping_;
    lock.unlock();
    if (!jobs.empty() || last || std::chrono::steady_clock::now() >= next_read) {
      write_batch(jobs);
      next_read = std::chrono::steady_clock::now() + kRefreshPeriod;
    }
    if (!events.empty() && journal_sink_) journal_sink_(events);
    lock.lock();
    if (last && queue_.empty() && events_.empty()) break;
  }
}

}  // namespace credpool::gateway
