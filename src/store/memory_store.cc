#include "store/memory_store.h"

#include <utility>

#include "store/mutations.h"

namespace credpool::store {

MemoryStore::MemoryStore(Snapshot initial) : state_(std::move(initial)) {}

Result<Snapshot> MemoryStore::load() {
  std::scoped_lock lock(mutex_);
  return state_;
}

Result<Snapshot> MemoryStore::apply(std::span<const Mutation> mutations) {
  std::scoped_lock lock(mutex_);
  apply_mutations(state_, mutations);
  ++apply_count_;
  return state_;
}

int MemoryStore::apply_count() const {
  std::scoped_lock lock(mutex_);
  return apply_count_;
}

}  // namespace credpool::store
