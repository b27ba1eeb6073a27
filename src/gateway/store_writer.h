#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "gateway/journal.h"
#include "gateway/pool_registry.h"
#include "store/store.h"

namespace credpool::gateway {

// The one path by which the gateway's changes reach the store, on its own thread (io threads
// never touch auth.json, flock or fsync):
// - Queued changes are written in batches with the registry's request-count deltas; a change's
//   `Done` runs on the store thread once it is durable (true) or has failed after retries
//   (false; it is kept and retried with the next batch).
// - Counts are flushed at least every second and at stop(), as AddRequestCount, so counts from
//   several processes sum.
// - Every second the store is re-read and the registry rebuilt (another process's
//   add/remove/reset/mark shows within 1 s), re-applying changes not yet written.
// - Journal events are handed to the sink after the write in progress (a mark's event follows
//   its durable write).
// Thread-safe; no method except stop() and sync() blocks.
class StoreWriter {
 public:
  // Fills secrets of borrowed rows (env:, config:) in a freshly read snapshot.
  using Hydrate = std::function<void(store::Snapshot&)>;
  // Receives whether the write became durable. Runs on the store thread: keep it short.
  using Done = std::function<void(bool durable)>;
  // Receives journal events on the store thread, in the order they were queued.
  using JournalSink = std::function<void(const std::vector<JournalEvent>&)>;

  // `store`, `clock` and `registry` must outlive the writer.
  StoreWriter(store::Store& store, const core::Clock& clock, PoolRegistry& registry,
              Hydrate hydrate);
  // Calls stop().
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Sets where journal() events go; call before start(). Without a sink they are dropped.
  void set_journal(JournalSink sink) { journal_sink_ = std::move(sink); }
  // Starts the store thread. Call once.
  void start();
  // Flushes counts, drains queued writes and joins the store thread. Blocks; idempotent.
  void stop();
  // Waits until everything queued so far is written and the pools re-read. Blocks: tests and
  // shutdown only, never an io thread.
  void sync();

  // Queues a change for the store thread. `done` may be empty.
  void enqueue(store::Mutation mutation, Done done);
  // Queues a journal event. Never blocks on I/O.
  void journal(JournalEvent event);
  // Returns the changes of `pool` queued or not yet written (for the registry's rebuild).
  std::vector<store::Mutation> pending_for(const std::string& pool);
  // Returns how many store writes or reads have failed (each was retried).
  std::uint64_t failures() const { return failures_.load(); }

 private:
  struct Job {
    std::vector<store::Mutation> mutations;
    Done done;
    std::function<void()> barrier;  // sync(): run after the batch is written and re-read
  };

  void loop();
  bool write_batch(std::vector<Job>& jobs);

  store::Store& store_;
  const core::Clock& clock_;
  PoolRegistry& registry_;
  Hydrate hydrate_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  std::vector<store::Mutation> unwritten_;  // failed writes, retried with the next batch
  std::vector<JournalEvent> events_;        // journal lines not yet handed to the sink
  JournalSink journal_sink_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace credpool::gateway
