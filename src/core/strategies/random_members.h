#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace credpool::core {

// Holds the usable positions for the `random` strategy in a dense vector (swap-remove), so a
// uniform pick is one index. Not thread-safe.
class RandomMembers {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  void reset(std::size_t positions) {
    members_.clear();
    slot_.assign(positions, kNone);
  }
  void insert(std::uint32_t pos) {
    if (pos >= slot_.size() || slot_[pos] != kNone) return;
    slot_[pos] = static_cast<std::uint32_t>(members_.size());
    members_.push_back(pos);
  }
  void erase(std::uint32_t pos) {
    if (pos >= slot_.size() || slot_[pos] == kNone) return;
    const std::uint32_t slot = slot_[pos];
    members_[slot] = members_.back();
    slot_[members_[slot]] = slot;
    members_.pop_back();
    slot_[pos] = kNone;
  }
  const std::vector<std::uint32_t>& members() const { return members_; }

 private:
  std::vector<std::uint32_t> members_;
  std::vector<std::uint32_t> slot_;  // position -> index in members_, kNone when absent
};

}  // namespace credpool::core
