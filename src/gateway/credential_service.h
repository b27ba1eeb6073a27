#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/credential.h"
#include "core/ledger/ledger_action.h"
#include "core/strategy.h"
#include "gateway/journal.h"
#include "gateway/metrics.h"
#include "gateway/pool_registry.h"
#include "gateway/rate_limit_remaining.h"
#include "gateway/store_writer.h"
#include "store/store.h"
#include "views/pool_view.h"

namespace credpool::gateway {

// Why a pool had nothing to give (core::PoolShortage), for credpool's own 429/503.
using UnusableCredential = core::UnusableCredential;
using PoolExhausted = core::PoolShortage;

// Wires the in-memory PoolRegistry (picks, counts, remaining budgets) to the StoreWriter
// (durable marks, count flushes, re-reads, the journal): a mark is applied in memory at once and
// handed to the writer in the same step, so no re-read can lose it. Reads and picks go to the
// registry alone. Thread-safe as its two parts are; no method except stop() and sync() blocks.
class CredentialService {
 public:
  using Hydrate = StoreWriter::Hydrate;
  using Done = StoreWriter::Done;
  using JournalSink = StoreWriter::JournalSink;

  // `store` and `clock` must outlive the service. `strategy_overrides` (config's
  // credential_pool_strategies) beat the store's strategies. `seed` seeds each pool's Random.
  CredentialService(store::Store& store, const core::Clock& clock,
                    std::map<std::string, core::Strategy> strategy_overrides, Hydrate hydrate,
                    std::uint64_t seed = 0x5eed);
  CredentialService(const CredentialService&) = delete;
  CredentialService& operator=(const CredentialService&) = delete;

  // Sets where journal() events go; call before start().
  void set_journal(JournalSink sink) { writer_.set_journal(std::move(sink)); }
  // Builds the pools from `initial` (already seeded and hydrated) and starts the store thread.
  void start(const store::Snapshot& initial);
  // Flushes request counts, drains queued writes and joins the store thread. Idempotent.
  void stop() { writer_.stop(); }
  // Waits until everything queued so far is written and the pools re-read (tests, shutdown).
  void sync() { writer_.sync(); }

  PoolRegistry& registry() { return registry_; }
  StoreWriter& writer() { return writer_; }

  // Picks (and counts) a credential; see PoolRegistry::pick.
  std::optional<PickedCredential> pick(const std::string& pool, std::string_view model,
                                       core::WallTime now) {
    return registry_.pick(pool, model, now);
  }
  void count_retry(const std::string& pool, const std::string& id) {
    registry_.count_retry(pool, id);
  }
  PoolExhausted exhausted(const std::string& pool, std::string_view model, core::WallTime now) {
    return registry_.exhausted(pool, model, now);
  }
  bool another_usable(const std::string& pool, std::string_view id, std::string_view model,
                      core::WallTime now) {
    return registry_.another_usable(pool, id, model, now);
  }

  // Marks a credential cooling or dead and persists it; `done` runs once durable (or at once
  // when the row is gone: nothing to persist). `done` may be empty.
  void record_exhaustion(const std::string& pool, const std::string& id,
                         const core::Exhaustion& exhaustion, Done done);
  // Sets a per-model cooldown (keeps the later time) for a failure that happened `at`, and
  // persists it. A credential reset after `at` is left alone.
  void record_model_cooldown(const std::string& pool, const std::string& id,
                             const std::string& model, core::WallTime until, core::WallTime at,
                             Done done);
  // Records a success: clears the failure streak (persisted only when there was one).
  void record_success(const std::string& pool, const std::string& id);
  void record_rate_limit_remaining(const std::string& pool, const std::string& id,
                                   const RateLimitRemaining& remaining) {
    registry_.record_rate_limit_remaining(pool, id, remaining);
  }
  RateLimitsByPool rate_limits() { return registry_.rate_limits(); }

  // Queues a journal event for the store thread. Never blocks on I/O.
  void journal(JournalEvent event) { writer_.journal(std::move(event)); }

  std::vector<PoolView> views(core::WallTime now) { return registry_.views(now); }
  std::vector<CredentialGauge> gauges(core::WallTime now) { return registry_.gauges(now); }
  std::uint64_t store_failures() const { return writer_.failures(); }

 private:
  PoolRegistry registry_;
  StoreWriter writer_;  // after registry_: destroyed (joined) first
};

}  // namespace credpool::gateway
