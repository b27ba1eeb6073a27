#include "core/strategies/count_heap.h"

namespace credpool::core {

void CountHeap::reset(std::size_t positions) {
  heap_.clear();
  heap_.reserve(positions);
  slot_.assign(positions, kNone);
}

void CountHeap::place(std::size_t slot, Item item) {
  heap_[slot] = item;
  slot_[item.pos] = static_cast<std::uint32_t>(slot);
}

void CountHeap::sift_up(std::size_t slot) {
  const Item item = heap_[slot];
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / 2;
    if (!less(item, heap_[parent])) break;
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, item);
}

void CountHeap::sift_down(std::size_t slot) {
  const Item item = heap_[slot];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * slot + 1;
    if (child >= n) break;
    if (child + 1 < n && less(heap_[child + 1], heap_[child])) ++child;
    if (!less(heap_[child], item)) break;
    place(slot, heap_[child]);
    slot = child;
  }
  place(slot, item);
}

void CountHeap::insert(std::uint32_t pos, std::uint64_t count) {
  if (pos >= slot_.size() || contains(pos)) return;
  heap_.push_back(Item{count, pos});
  slot_[pos] = static_cast<std::uint32_t>(heap_.size() - 1);
  sift_up(heap_.size() - 1);
}

void CountHeap::erase(std::uint32_t pos) {
  if (!contains(pos)) return;
  const std::size_t slot = slot_[pos];
  slot_[pos] = kNone;
  const Item last = heap_.back();
  heap_.pop_back();
  if (slot == heap_.size()) return;
  place(slot, last);
  sift_up(slot);
  sift_down(slot_[last.pos]);
}

void CountHeap::update(std::uint32_t pos, std::uint64_t count) {
  if (!contains(pos)) return;
  const std::size_t slot = slot_[pos];
  const std::uint64_t old = heap_[slot].count;
  heap_[slot].count = count;
  if (count < old) {
    sift_up(slot);
  } else {
    sift_down(slot);
  }
}

}  // namespace credpool::core
