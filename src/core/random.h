#pragma once

#include <cstdint>

namespace credpool::core {

// The seam through which chance enters (the `random` strategy, retry jitter). Tests seed it.
// Not thread-safe: each owner (a pool under its mutex, a connection) holds its own.
class Random {
 public:
  virtual ~Random() = default;
  // Returns a uniformly distributed integer in [0, bound); bound must be > 0.
  virtual std::uint64_t below(std::uint64_t bound) = 0;
};

// A small fast generator (splitmix64) good enough for load spreading and jitter; not crypto.
class SplitMixRandom final : public Random {
 public:
  explicit SplitMixRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t below(std::uint64_t bound) override {
    state_ += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return z % bound;
  }

 private:
  std::uint64_t state_;
};

}  // namespace credpool::core
