#include "store/json_time.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace credpool::store {

namespace {

// Reads exactly `width` digits at `pos`; advances `pos`.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// Times outside years 0000-9999 are not times: they fit no ISO string, and adding a cooldown to
// one (or converting it to nanoseconds) would overflow.
constexpr long long kFirstSecond = -62'167'219'200;  // 0000-01-01T00:00:00Z
constexpr long long kLastSecond = 253'402'300'799;   // 9999-12-31T23:59:59Z
// An epoch number above this is milliseconds (JavaScript's Date.now(), Anthropic's expires_at_ms):
// as seconds it would be past the year 5100, as milliseconds it is after March 1973.
constexpr double kMillisecondsAbove = 1e11;

std::optional<core::WallTime> in_range(long long seconds) {
  if (seconds < kFirstSecond || seconds > kLastSecond) return std::nullopt;
  return core::from_epoch(seconds);
}

// Reads epoch seconds (or milliseconds above kMillisecondsAbove) to the nearest microsecond.
std::optional<core::WallTime> from_double(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  const double seconds = value > kMillisecondsAbove ? value / 1000 : value;
  if (std::floor(seconds) < static_cast<double>(kFirstSecond) ||
      std::floor(seconds) > static_cast<double>(kLastSecond)) {
    return std::nullopt;
  }
  return core::from_epoch_seconds(seconds);
}

// Reads an integer epoch: seconds, or milliseconds above kMillisecondsAbove (exact, no double).
std::optional<core::WallTime> from_integer(long long value) {
  if (static_cast<double>(value) > kMillisecondsAbove) {
    if (value / 1000 > kLastSecond) return std::nullopt;  // checked first: x1000 could overflow
    return core::WallTime{std::chrono::milliseconds{value}};
  }
  return in_range(value);
}

// Reads ".123456" (any number of digits) at `pos` as microseconds, rounded down.
std::chrono::microseconds fraction(std::string_view text, std::size_t& pos) {
  long long micros = 0;
  int digits_read = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (digits_read < 6) {
      micros = micros * 10 + (text[pos] - '0');
      ++digits_read;
    }
    ++pos;
  }
  for (; digits_read < 6; ++digits_read) micros *= 10;
  return std::chrono::microseconds{micros};
}

}  // namespace

std::optional<core::WallTime> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  const auto mo = digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  const auto d = digits(text, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  int h = 0, mi = 0, s = 0;
  std::chrono::microseconds micros{0};
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    const auto hh = digits(text, pos, 2);
    if (!hh || !expect(text, pos, ':')) return std::nullopt;
    const auto mm = digits(text, pos, 2);
    if (!mm) return std::nullopt;
    h = *hh;
    mi = *mm;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      const auto ss = digits(text, pos, 2);
      if (!ss) return std::nullopt;
      s = *ss;
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      micros = fraction(text, pos);
    }
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  long long offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto oh = digits(text, pos, 2);
    if (!oh) return std::nullopt;
    expect(text, pos, ':');
    const auto om = digits(text, pos, 2);
    offset = sign * (*oh * 3600LL + (om ? *om : 0) * 60LL);
  }
  if (pos != text.size()) return std::nullopt;
  const auto midnight = sys_days{date};
  return core::WallTime{midnight} + hours{h} + minutes{mi} + seconds{s} + micros - seconds{offset};
}

std::string format_iso8601(core::WallTime time, IsoZone zone) {
  using namespace std::chrono;
  const auto day_start = floor<days>(time);
  const year_month_day date{day_start};
  const hh_mm_ss clock{time - day_start};
  std::string text =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  // Python's isoformat() (Hermes) prints the fraction only when it is not zero.
  if (clock.subseconds().count() != 0) text += fmt::format(".{:06}", clock.subseconds().count());
  return text + (zone == IsoZone::Z ? "Z" : "+00:00");
}

std::optional<core::WallTime> read_json_time(const nlohmann::ordered_json& value) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())) {
      return std::nullopt;
    }
    return read_json_time(nlohmann::ordered_json(static_cast<long long>(number)));
  }
  if (value.is_number_integer()) {
    return from_integer(value.get<long long>());
  }
  if (value.is_number_float()) return from_double(value.get<double>());
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc{} && end == text.data() + text.size()) return from_double(seconds);
  const auto iso = parse_iso8601(text);
  return iso && in_range(core::to_epoch(*iso)) ? iso : std::nullopt;
}

nlohmann::ordered_json epoch_json(core::WallTime time) {
  return nlohmann::ordered_json(core::to_epoch_seconds(time));
}

}  // namespace credpool::store
