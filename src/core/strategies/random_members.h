#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/random.h"

namespace credpool::core {

// Holds the usable positions for the `random` strategy in a dense vector (swap-remove), so a
// uniform pick is one index. Draws a few picks ahead (see draw()). Not thread-safe.
class RandomMembers {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // How many picks are drawn ahead. At 100k entries (40 MB of Credentials, more than L3) a pick
  // costs ~30 ns of compute but counting it writes an entry that is in DRAM (~150 ns on the
  // bench machine, docs/benchmarks.md); 8 picks ahead give a prefetch ~250 ns of lead.
  static constexpr std::size_t kLookahead = 8;

  void reset(std::size_t positions) {
    members_.clear();
    slot_.assign(positions, kNone);
    drop_lookahead();
  }
  void insert(std::uint32_t pos) {
    if (pos >= slot_.size() || slot_[pos] != kNone) return;
    slot_[pos] = static_cast<std::uint32_t>(members_.size());
    members_.push_back(pos);
    drop_lookahead();
  }
  void erase(std::uint32_t pos) {
    if (pos >= slot_.size() || slot_[pos] == kNone) return;
    const std::uint32_t slot = slot_[pos];
    members_[slot] = members_.back();
    slot_[members_[slot]] = slot;
    members_.pop_back();
    slot_[pos] = kNone;
    drop_lookahead();
  }
  const std::vector<std::uint32_t>& members() const { return members_; }

  // Returns a member drawn uniformly at random; members() must not be empty. Keeps kLookahead
  // further draws queued so the caller can prefetch upcoming() before it is picked. A change of
  // membership drops the queue, so every pick is uniform over the members at the time of the
  // pick, and `random` is called in the same order as drawing one pick at a time would.
  std::uint32_t draw(Random& random) {
    while (queued_ <= kLookahead) {
      ahead_[(head_ + queued_) % ahead_.size()] = members_[random.below(members_.size())];
      ++queued_;
    }
    const std::uint32_t pos = ahead_[head_];
    head_ = (head_ + 1) % ahead_.size();
    --queued_;
    return pos;
  }
  // Returns the newest queued draw (picked kLookahead draws from now), or kNone.
  std::uint32_t upcoming() const {
    return queued_ == 0 ? kNone : ahead_[(head_ + queued_ - 1) % ahead_.size()];
  }

 private:
  void drop_lookahead() {
    head_ = 0;
    queued_ = 0;
  }

  std::vector<std::uint32_t> members_;
  std::vector<std::uint32_t> slot_;  // position -> index in members_, kNone when absent
  std::array<std::uint32_t, kLookahead + 1> ahead_{};  // ring of queued draws
  std::size_t head_ = 0;
  std::size_t queued_ = 0;
};

}  // namespace credpool::core
