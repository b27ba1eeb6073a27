#include "gateway/store_writer.h"

#include <chrono>
#include <future>
#include <iterator>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

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

}  // namespace

StoreWriter::StoreWriter(store::Store& store, const core::Clock& clock, PoolRegistry& registry,
                         Hydrate hydrate)
    : store_(store), clock_(clock), registry_(registry), hydrate_(std::move(hydrate)) {}

StoreWriter::~StoreWriter() { stop(); }

void StoreWriter::start() {
  thread_ = std::thread([this] { loop(); });
}

void StoreWriter::stop() {
  {
    std::scoped_lock lock(queue_mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  queue_cv_.notify_one();
  thread_.join();
}

void StoreWriter::sync() {
  std::promise<void> written;
  auto future = written.get_future();
  {
    std::scoped_lock lock(queue_mutex_);
    if (!thread_.joinable() || stopping_) return;
    queue_.push_back(Job{{}, {}, [&written] { written.set_value(); }});
  }
  queue_cv_.notify_one();
  future.wait();
}

void StoreWriter::enqueue(store::Mutation mutation, Done done) {
  {
    std::scoped_lock lock(queue_mutex_);
    queue_.push_back(Job{{std::move(mutation)}, std::move(done), {}});
  }
  queue_cv_.notify_one();
}

void StoreWriter::journal(JournalEvent event) {
  if (!journal_sink_) return;
  {
    std::scoped_lock lock(queue_mutex_);
    events_.push_back(std::move(event));
  }
  queue_cv_.notify_one();
}

std::vector<store::Mutation> StoreWriter::pending_for(const std::string& pool) {
  std::vector<store::Mutation> out;
  std::scoped_lock lock(queue_mutex_);
  for (const Job& job : queue_) {
    for (const store::Mutation& m : job.mutations) {
      if (pool_of(m) == pool) out.push_back(m);
    }
  }
  for (const store::Mutation& m : unwritten_) {  // written only on the store thread
    if (pool_of(m) == pool) out.push_back(m);
  }
  return out;
}

// Writes one batch (earlier failed writes, the jobs' changes, the count deltas) in a single
// store call, or only re-reads when there is nothing to write; then rebuilds the registry.
bool StoreWriter::write_batch(std::vector<Job>& jobs) {
  std::vector<store::Mutation> mutations = unwritten_;
  for (Job& job : jobs) {
    for (store::Mutation& m : job.mutations) mutations.push_back(std::move(m));
  }
  const std::size_t marks = mutations.size();
  std::vector<store::Mutation> counts = registry_.take_counts(clock_.wall_now());
  mutations.insert(mutations.end(), counts.begin(), counts.end());

  Result<store::Snapshot> result;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    result = mutations.empty() ? store_.load() : store_.apply(mutations);
    if (result) break;
    failures_.fetch_add(1);
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
    registry_.rebuild(snapshot, [this](const std::string& pool) { return pending_for(pool); });
  } else {
    registry_.restore_counts(counts);
    unwritten_.assign(mutations.begin(), mutations.begin() + static_cast<std::ptrdiff_t>(marks));
  }
  for (Job& job : jobs) {
    if (job.done) job.done(ok);
    if (job.barrier) job.barrier();
  }
  return ok;
}

// Writes queued jobs (or only re-reads, once a period), then hands queued journal events to the
// sink. Journal events alone do not cause a store re-read.
void StoreWriter::loop() {
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
