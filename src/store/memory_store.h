#pragma once

#include <mutex>
#include <span>

#include "core/result.h"
#include "store/store.h"

namespace credpool::store {

// Keeps pools in memory with FileStore's merge semantics (the same apply_mutation rules), for
// tests and as the reference behaviour. Secrets of every source are kept (nothing is on disk).
// Thread-safe: a mutex guards the state.
class MemoryStore final : public Store {
 public:
  MemoryStore() = default;
  // Starts from `initial` (as if it had been loaded from a file).
  explicit MemoryStore(Snapshot initial);

  // Returns a copy of the current state. Never fails.
  Result<Snapshot> load() override;
  // Applies the mutations in order to the current state and returns the result. Never fails.
  Result<Snapshot> apply(std::span<const Mutation> mutations) override;

  // Returns how many apply() calls have happened (lets tests check "one write").
  int apply_count() const;

 private:
  mutable std::mutex mutex_;
  Snapshot state_;
  int apply_count_ = 0;
};

}  // namespace credpool::store
