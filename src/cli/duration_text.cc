#include "cli/duration_text.h"

#include <fmt/format.h>

namespace credpool::cli {

namespace {

constexpr long long kMinute = 60;
constexpr long long kHour = 60 * kMinute;
constexpr long long kDay = 24 * kHour;

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

}  // namespace

std::string duration_text(std::chrono::seconds remaining) {
  const long long t = remaining.count();
  if (t <= 0) return "0s";
  if (t < kMinute) return fmt::format("{}s", t);
  if (t < kHour) return fmt::format("{}m {}s", t / kMinute, t % kMinute);
  if (t < kDay) {
    // Rounding the minutes up can reach 24h; that case falls through to days.
    const long long minutes = ceil_div(t, kMinute);
    if (minutes < 24 * 60) return fmt::format("{}h {}m", minutes / 60, minutes % 60);
  }
  const long long hours = ceil_div(t, kHour);
  return fmt::format("{}d {}h", hours / 24, hours % 24);
}

}  // namespace credpool::cli
