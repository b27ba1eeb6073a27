#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/credential.h"
#include "core/ledger/ledger_action.h"
#include "core/pool.h"
#include "core/strategy.h"
#include "gateway/journal.h"
#include "gateway/metrics.h"
#include "gateway/pool_view.h"
#include "gateway/rate_limit_remaining.h"
#include "store/store.h"

namespace credpool::gateway {

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

// Why a pool had nothing to give (core::PoolShortage), for credpool's own 429/503.
using UnusableCredential = core::UnusableCredential;
using PoolExhausted = core::PoolShortage;

// Owns one core::Pool per pool key, built from the store's (hydrated) snapshot, and the store
// thread that persists changes.
// - Marks, model cooldowns and resets are applied in memory at once and written on the store
//   thread; the `Done` callback runs there once the write is durable (true) or has failed after
//   retries (false; the write is kept and retried with the next batch).
// - request_count deltas are batched: they ride on every write and are flushed at least every
//   second and at stop(), as AddRequestCount, so counts from several processes sum.
// - Every second the store thread re-reads the store and rebuilds the pools (another process's
//   add/remove/reset/mark shows within 1 s), re-applying in-memory changes not yet written.
// Thread-safe: one mutex per pool, held only around a core call; the pool map has its own
// shared mutex. No method except stop() and sync() blocks.
class CredentialService {
 public:
  // Fills secrets of borrowed rows (env:, config:) in a freshly read snapshot.
  using Hydrate = std::function<void(store::Snapshot&)>;
  // Receives whether the write became durable. Runs on the store thread: keep it short.
  using Done = std::function<void(bool durable)>;

  // `store` and `clock` must outlive the service. `strategy_overrides` (config's
  // credential_pool_strategies) beat the store's strategies. `seed` seeds each pool's Random.
  CredentialService(store::Store& store, const core::Clock& clock,
                    std::map<std::string, core::Strategy> strategy_overrides, Hydrate hydrate,
                    std::uint64_t seed = 0x5eed);
  // Calls stop().
  ~CredentialService();
  CredentialService(const CredentialService&) = delete;
  CredentialService& operator=(const CredentialService&) = delete;

  // Receives journal events on the store thread, in the order they were queued (JournalWriter's
  // append; blocking I/O is fine there).
  using JournalSink = std::function<void(const std::vector<JournalEvent>&)>;

  // Sets where journal() events go; call before start(). Without a sink they are dropped.
  void set_journal(JournalSink sink) { journal_sink_ = std::move(sink); }
  // Builds the pools from `initial` (already seeded and hydrated) and starts the store thread.
  // Call once.
  void start(const store::Snapshot& initial);
  // Flushes request counts, drains queued writes and joins the store thread. Blocks; idempotent.
  void stop();
  // Waits until everything queued so far is written and the pools re-read. Blocks: tests and
  // shutdown only, never an io thread.
  void sync();

  // Picks a credential of `pool` for `model` by the pool's strategy and counts the use.
  // nullopt when nothing is usable (or the pool is unknown); see exhausted().
  std::optional<PickedCredential> pick(const std::string& pool, std::string_view model,
                                       core::WallTime now);
  // Counts one more upstream attempt with credential `id` of `pool` that was not a fresh pick (a
  // retry on the same credential), through the same batched path as pick()'s count (DESIGN.md:
  // request_count is +1 per upstream attempt, any outcome). Ignored for an unknown pool or id.
  void count_retry(const std::string& pool, const std::string& id);
  // Describes why `pool` has nothing usable for `model` at `now`.
  PoolExhausted exhausted(const std::string& pool, std::string_view model, core::WallTime now);
  // Returns true when a credential other than `id` is usable in `pool` for `model` at `now`.
  bool another_usable(const std::string& pool, std::string_view id, std::string_view model,
                      core::WallTime now);

  // Marks a credential cooling or dead (credential-wide) and persists it with the failure streak
  // the pool computed (a default-reset mark lengthens it). `done` may be empty.
  void record_exhaustion(const std::string& pool, const std::string& id,
                         const core::Exhaustion& exhaustion, Done done);
  // Sets a per-model cooldown (keeps the later time) and persists it.
  void record_model_cooldown(const std::string& pool, const std::string& id,
                             const std::string& model, core::WallTime until, Done done);
  // Records a success: clears the failure streak (persisted only when there was one).
  void record_success(const std::string& pool, const std::string& id);

  // Keeps `remaining` as the latest budget the provider reported for credential `id` of `pool`
  // (memory only, never persisted; a later report replaces it). Ignored for an unknown pool.
  void record_rate_limit_remaining(const std::string& pool, const std::string& id,
                                   const RateLimitRemaining& remaining);
  // Returns a copy of every recorded budget, for /admin/pools (add_rate_limit_remaining).
  RateLimitsByPool rate_limits();

  // Queues a journal event for the store thread, which writes it after the store write in
  // progress (a mark's event follows its durable write). Never blocks on I/O.
  void journal(JournalEvent event);

  // Returns a copy of every pool, sorted by key, for /admin/pools.
  std::vector<PoolView> views(core::WallTime now);
  // Returns the credpool_credentials gauge rows at `now`.
  std::vector<CredentialGauge> gauges(core::WallTime now);
  // Returns how many store writes or reads have failed (each was retried).
  std::uint64_t store_failures() const { return store_failures_.load(); }

 private:
  struct Slot;
  struct Job {
    std::vector<store::Mutation> mutations;
    Done done;
    std::function<void()> barrier;  // sync(): run after the batch is written and re-read
  };

  Slot* find_slot(const std::string& pool);
  Slot& slot_for(const std::string& pool);
  void rebuild(const store::Snapshot& snapshot);
  void enqueue_locked_slot(Job job);
  void store_loop();
  bool write_batch(std::vector<Job>& jobs);
  std::vector<store::Mutation> take_counts();
  void restore_counts(const std::vector<store::Mutation>& counts);

  store::Store& store_;
  const core::Clock& clock_;
  std::map<std::string, core::Strategy> strategy_overrides_;
  Hydrate hydrate_;
  std::uint64_t seed_;

  std::shared_mutex pools_mutex_;  // guards the map's structure; each Slot has its own mutex
  std::map<std::string, std::unique_ptr<Slot>> pools_;

  std::mutex queue_mutex_;  // lock order: a Slot's mutex, then this one
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  std::vector<store::Mutation> unwritten_;  // failed writes, retried with the next batch
  std::vector<JournalEvent> events_;        // journal lines not yet handed to the sink
  JournalSink journal_sink_;
  bool stopping_ = false;
  std::thread store_thread_;
  std::atomic<std::uint64_t> store_failures_{0};
};

}  // namespace credpool::gateway
