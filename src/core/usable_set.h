#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace credpool::core {

// Holds a set of positions 0..n-1 as a two-level bitset: one bit per position plus one summary
// bit per non-empty 64-bit word, so "first member at or after p" costs a few word scans even at
// 100k positions (about 25 summary words) instead of a walk over the pool. Not thread-safe.
class UsableSet {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // Empties the set and makes room for positions 0..size-1.
  void reset(std::size_t size);
  bool contains(std::size_t pos) const {
    return pos < size_ && ((words_[pos / 64] >> (pos % 64)) & 1U) != 0;
  }
  // Adds or removes a position (< size); returns whether the set changed.
  bool insert(std::size_t pos);
  bool erase(std::size_t pos);
  std::size_t count() const { return count_; }
  std::size_t size() const { return size_; }
  // Returns the smallest member >= from, or kNone.
  std::size_t find_next(std::size_t from) const;
  std::size_t find_first() const { return find_next(0); }

 private:
  std::vector<std::uint64_t> words_;
  std::vector<std::uint64_t> summary_;  // bit w set <=> words_[w] != 0
  std::size_t size_ = 0;
  std::size_t count_ = 0;
};

}  // namespace credpool::core
