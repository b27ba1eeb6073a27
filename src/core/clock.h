#pragma once

#include <chrono>
#include <cmath>

namespace credpool::core {

// Wall time for anything persisted, shown or compared across processes (resets_at, cooldowns,
// status_cleared_at). Microseconds, as Hermes writes float epoch seconds (time.time()): a reset
// made in the same second as a failure must still order after it (STYLE.md §5).
using WallTime = std::chrono::sys_time<std::chrono::microseconds>;
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

// Converts whole epoch seconds to WallTime.
inline WallTime from_epoch(long long seconds) { return WallTime{std::chrono::seconds{seconds}}; }
// Returns whole epoch seconds, rounded down (a time before 1970 rounds towards the past).
inline long long to_epoch(WallTime t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}
// Converts float epoch seconds (auth.json, listings) to WallTime, rounded to the nearest
// microsecond. The caller checks the range: a non-finite or huge value is undefined here.
inline WallTime from_epoch_seconds(double seconds) {
  return WallTime{std::chrono::microseconds{std::llround(seconds * 1e6)}};
}
// Returns float epoch seconds (a double holds microseconds exactly for present-day times).
inline double to_epoch_seconds(WallTime t) {
  return static_cast<double>(t.time_since_epoch().count()) / 1e6;
}

}  // namespace credpool::core
