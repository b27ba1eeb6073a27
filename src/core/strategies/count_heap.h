#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace credpool::core {

// Orders positions by (request_count, position) for least_used: an indexed binary min-heap, so
// the pick is the top and counting a use is one sift (O(log n), contiguous memory).
// Not thread-safe.
class CountHeap {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  // Empties the heap and makes room for positions 0..positions-1.
  void reset(std::size_t positions);
  bool contains(std::uint32_t pos) const { return pos < slot_.size() && slot_[pos] != kNone; }
  // Adds a position (no-op if present), removes it (no-op if absent), or changes its count.
  void insert(std::uint32_t pos, std::uint64_t count);
  void erase(std::uint32_t pos);
  void update(std::uint32_t pos, std::uint64_t count);
  std::size_t size() const { return heap_.size(); }

  // Returns the first position in (count, position) order for which `accept` is true, or kNone.
  // Visits best-first from the top, so the cost grows only with the rejected positions.
  template <class Accept>
  std::uint32_t find_first(Accept accept) const {
    if (heap_.empty()) return kNone;
    if (accept(heap_[0].pos)) return heap_[0].pos;
    auto worse = [this](std::size_t a, std::size_t b) { return less(heap_[b], heap_[a]); };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(worse)> open(worse);
    open.push(0);
    while (!open.empty()) {
      const std::size_t slot = open.top();
      open.pop();
      if (slot != 0 && accept(heap_[slot].pos)) return heap_[slot].pos;
      for (std::size_t child = 2 * slot + 1; child <= 2 * slot + 2; ++child) {
        if (child < heap_.size()) open.push(child);
      }
    }
    return kNone;
  }

 private:
  struct Item {
    std::uint64_t count;
    std::uint32_t pos;
  };
  static bool less(const Item& a, const Item& b) {
    return a.count != b.count ? a.count < b.count : a.pos < b.pos;
  }
  void place(std::size_t slot, Item item);
  void sift_up(std::size_t slot);
  void sift_down(std::size_t slot);

  std::vector<Item> heap_;
  std::vector<std::uint32_t> slot_;  // position -> heap slot, kNone when absent
};

}  // namespace credpool::core
