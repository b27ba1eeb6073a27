#pragma once

#include "core/clock.h"

namespace credpool::testing {

// A clock that moves only when told, so tests never sleep.
class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(core::WallTime start) : wall_(start) {}
  core::WallTime wall_now() const override { return wall_; }
  core::SteadyTime steady_now() const override { return steady_; }
  void advance(std::chrono::seconds by) {
    wall_ += by;
    steady_ += by;
  }

 private:
  core::WallTime wall_;
  core::SteadyTime steady_{};
};

}  // namespace credpool::testing
