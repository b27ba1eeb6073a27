#pragma once

#include <chrono>

namespace credpool::core {

// Wall time for anything persisted, shown or compared across processes (resets_at, cooldowns).
using WallTime = std::chrono::sys_seconds;
// Steady time for deadlines and latency inside one process.
using SteadyTime = std::chrono::steady_clock::time_point;

// The seam through which time enters. The core never calls now(): it takes WallTime arguments.
// SystemClock (src/cli) is the one real implementation; tests use FakeClock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime wall_now() const = 0;
  virtual SteadyTime steady_now() const = 0;
};

// Converts epoch seconds (as stored in auth.json) to WallTime and back.
inline WallTime from_epoch(long long seconds) { return WallTime{std::chrono::seconds{seconds}}; }
inline long long to_epoch(WallTime t) { return t.time_since_epoch().count(); }

}  // namespace credpool::core
