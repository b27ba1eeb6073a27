#pragma once

#include <chrono>

#include "core/clock.h"

namespace credpool::cli {

// Reads the real clocks: the program's one call to now(). The composition root (run, serve)
// creates it and passes it down as a core::Clock&. Thread-safe.
class SystemClock final : public core::Clock {
 public:
  core::WallTime wall_now() const override {
    return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
  core::SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace credpool::cli
