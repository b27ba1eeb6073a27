#include "core/usable_set.h"

#include <bit>

namespace credpool::core {

void UsableSet::reset(std::size_t size) {
  size_ = size;
  count_ = 0;
  words_.assign((size + 63) / 64, 0);
  summary_.assign((words_.size() + 63) / 64, 0);
}

bool UsableSet::insert(std::size_t pos) {
  if (pos >= size_ || contains(pos)) return false;
  const std::size_t w = pos / 64;
  words_[w] |= std::uint64_t{1} << (pos % 64);
  summary_[w / 64] |= std::uint64_t{1} << (w % 64);
  ++count_;
  return true;
}

bool UsableSet::erase(std::size_t pos) {
  if (!contains(pos)) return false;
  const std::size_t w = pos / 64;
  words_[w] &= ~(std::uint64_t{1} << (pos % 64));
  if (words_[w] == 0) summary_[w / 64] &= ~(std::uint64_t{1} << (w % 64));
  --count_;
  return true;
}

std::size_t UsableSet::find_next(std::size_t from) const {
  if (from >= size_) return kNone;
  std::size_t w = from / 64;
  const std::uint64_t here = words_[w] & (~std::uint64_t{0} << (from % 64));
  if (here != 0) return w * 64 + static_cast<std::size_t>(std::countr_zero(here));
  ++w;  // the next non-empty word, found through the summary
  if (w >= words_.size()) return kNone;
  std::size_t s = w / 64;
  std::uint64_t bits = summary_[s] & (~std::uint64_t{0} << (w % 64));
  while (bits == 0) {
    if (++s >= summary_.size()) return kNone;
    bits = summary_[s];
  }
  const std::size_t word = s * 64 + static_cast<std::size_t>(std::countr_zero(bits));
  return word * 64 + static_cast<std::size_t>(std::countr_zero(words_[word]));
}

}  // namespace credpool::core
