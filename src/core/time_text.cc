#include "core/time_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace credpool::core {

namespace {

using std::chrono::milliseconds;

// Anything longer than ~31 years is nonsense for a reset; capping here keeps the double -> integer
// conversion below defined (UBSan) before the caller clamps to its own ceiling.
constexpr double kMaxDurationMs = 1e12;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// Reads [0-9]+(\.[0-9]+)? at s[i]; returns the end index, or i when there is no number.
std::size_t scan_number(std::string_view s, std::size_t i, double& out) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == start) return start;
  if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  const auto [ptr, ec] =
      std::from_chars(s.data() + start, s.data() + i, out, std::chars_format::fixed);
  if (ec != std::errc{} || ptr != s.data() + i || !std::isfinite(out)) return start;
  return i;
}

struct Unit {
  std::string_view name;
  double ms;
};

constexpr std::array<Unit, 21> kUnits{{
    {"ms", 1},           {"msec", 1},         {"msecs", 1},
    {"millisecond", 1},  {"milliseconds", 1}, {"us", 0.001},
    {"s", 1000},         {"sec", 1000},       {"secs", 1000},
    {"second", 1000},    {"seconds", 1000},   {"m", 60'000},
    {"min", 60'000},     {"mins", 60'000},    {"minute", 60'000},
    {"minutes", 60'000}, {"h", 3'600'000},    {"hr", 3'600'000},
    {"hrs", 3'600'000},  {"hour", 3'600'000}, {"hours", 3'600'000},
}};
constexpr std::array<Unit, 3> kDayUnits{
    {{"d", 86'400'000}, {"day", 86'400'000}, {"days", 86'400'000}}};

// Reads a unit word at s[i]; returns its length (0 when none) and its size in milliseconds.
std::size_t scan_unit(std::string_view s, std::size_t i, double& ms) {
  // "µs" (Go prints microseconds with the micro sign, U+00B5, UTF-8 C2 B5).
  if (s.substr(i, 3) == "\xC2\xB5s") {
    ms = 0.001;
    return 3;
  }
  std::size_t end = i;
  while (end < s.size() && is_alpha(s[end])) ++end;
  const std::string_view word = s.substr(i, end - i);
  for (const Unit& u : kUnits) {
    if (iequals(word, u.name)) {
      ms = u.ms;
      return word.size();
    }
  }
  for (const Unit& u : kDayUnits) {
    if (iequals(word, u.name)) {
      ms = u.ms;
      return word.size();
    }
  }
  return 0;
}

// Skips what may sit between two parts of a prose duration: spaces, a comma, "and".
std::size_t skip_separator(std::string_view s, std::size_t i) {
  i = skip_spaces(s, i);
  if (i < s.size() && s[i] == ',') i = skip_spaces(s, i + 1);
  if (i + 3 < s.size() && iequals(s.substr(i, 3), "and") && is_space(s[i + 3])) {
    i = skip_spaces(s, i + 3);
  }
  return i;
}

bool scan_fixed_digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return false;
    v = v * 10 + (s[i + k] - '0');
  }
  out = v;
  i += n;
  return true;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (i < s.size() && s[i] == c) {
    ++i;
    return true;
  }
  return false;
}

std::optional<WallTime> make_time(int y, int mo, int d, int h, int mi, int sec) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;  // 60: a leap second
  return WallTime{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec};
}

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view text, bool bare_is_seconds,
                                           std::size_t* consumed) {
  std::size_t i = skip_spaces(text, 0);
  double total_ms = 0;
  bool any = false;
  std::size_t end = 0;
  // Bounded: each pass consumes at least one digit.
  while (i < text.size()) {
    double value = 0;
    const std::size_t after_number = scan_number(text, i, value);
    if (after_number == i) break;
    double unit_ms = 0;
    const std::size_t unit_at = skip_spaces(text, after_number);
    const std::size_t unit_len = scan_unit(text, unit_at, unit_ms);
    if (unit_len == 0) {
      if (any || !bare_is_seconds) break;
      total_ms = value * 1000;
      any = true;
      end = after_number;
      break;
    }
    total_ms += value * unit_ms;
    any = true;
    end = unit_at + unit_len;
    i = skip_separator(text, end);
  }
  if (!any || !std::isfinite(total_ms)) return std::nullopt;
  if (consumed != nullptr) *consumed = end;
  if (total_ms > kMaxDurationMs) total_ms = kMaxDurationMs;
  return milliseconds{static_cast<std::int64_t>(std::ceil(total_ms))};
}

std::optional<milliseconds> parse_duration_exact(std::string_view text) {
  std::size_t consumed = 0;
  auto d = parse_duration(text, false, &consumed);
  if (!d || skip_spaces(text, consumed) != text.size()) return std::nullopt;
  return d;
}

std::optional<WallTime> parse_http_date(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths{
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::size_t i = skip_spaces(text, 0);
  if (const std::size_t comma = text.find(','); comma != std::string_view::npos && comma < 12) {
    i = skip_spaces(text, comma + 1);
  }
  int d = 0;
  int y = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!scan_fixed_digits(text, i, 2, d) && !scan_fixed_digits(text, i, 1, d)) return std::nullopt;
  if (!expect(text, i, ' ') || i + 3 > text.size()) return std::nullopt;
  int mo = 0;
  for (std::size_t k = 0; k < kMonths.size(); ++k) {
    if (iequals(text.substr(i, 3), kMonths[k])) mo = static_cast<int>(k) + 1;
  }
  if (mo == 0) return std::nullopt;
  i += 3;
  if (!expect(text, i, ' ') || !scan_fixed_digits(text, i, 4, y) || !expect(text, i, ' ') ||
      !scan_fixed_digits(text, i, 2, h) || !expect(text, i, ':') ||
      !scan_fixed_digits(text, i, 2, mi) || !expect(text, i, ':') ||
      !scan_fixed_digits(text, i, 2, sec)) {
    return std::nullopt;
  }
  const std::string_view zone = text.substr(skip_spaces(text, i));
  if (!zone.empty() && !iequals(zone.substr(0, 3), "GMT") && !iequals(zone.substr(0, 3), "UTC")) {
    return std::nullopt;
  }
  return make_time(y, mo, d, h, mi, sec);
}

std::optional<WallTime> parse_iso8601(std::string_view text) {
  std::size_t i = skip_spaces(text, 0);
  int y = 0;
  int mo = 0;
  int d = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!scan_fixed_digits(text, i, 4, y) || !expect(text, i, '-') ||
      !scan_fixed_digits(text, i, 2, mo) || !expect(text, i, '-') ||
      !scan_fixed_digits(text, i, 2, d)) {
    return std::nullopt;
  }
  std::chrono::seconds offset{0};
  if (i < text.size() && (text[i] == 'T' || text[i] == 't' || text[i] == ' ') &&
      i + 1 < text.size() && is_digit(text[i + 1])) {
    ++i;
    if (!scan_fixed_digits(text, i, 2, h) || !expect(text, i, ':') ||
        !scan_fixed_digits(text, i, 2, mi)) {
      return std::nullopt;
    }
    if (expect(text, i, ':') && !scan_fixed_digits(text, i, 2, sec)) return std::nullopt;
    if (expect(text, i, '.') || expect(text, i, ',')) {
      while (i < text.size() && is_digit(text[i])) ++i;
    }
    const bool utc = expect(text, i, 'Z') || expect(text, i, 'z');
    if (!utc && i < text.size() && (text[i] == '+' || text[i] == '-')) {
      const int sign = text[i] == '-' ? -1 : 1;
      ++i;
      int oh = 0;
      int om = 0;
      if (!scan_fixed_digits(text, i, 2, oh)) return std::nullopt;
      expect(text, i, ':');
      scan_fixed_digits(text, i, 2, om);
      if (oh > 23 || om > 59) return std::nullopt;
      offset = std::chrono::seconds{sign * (oh * 3600 + om * 60)};
    }
  }
  if (skip_spaces(text, i) != text.size()) return std::nullopt;
  auto t = make_time(y, mo, d, h, mi, sec);
  if (!t) return std::nullopt;
  return *t - offset;  // local = UTC + offset
}

std::optional<double> parse_decimal(std::string_view text) {
  std::size_t i = skip_spaces(text, 0);
  const bool negative = expect(text, i, '-');
  double value = 0;
  const std::size_t end = scan_number(text, i, value);
  if (end == i || skip_spaces(text, end) != text.size()) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace credpool::core
