#include "core/reset_hints.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/text_match.h"
#include "core/time_text.h"

namespace credpool::core {

namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

// Waits are bounded only so that the arithmetic stays defined: deciding what is implausibly far
// is CooldownPolicy::max_cooldown's job (compute_cooldown clamps and says so), not the parser's.
constexpr milliseconds kMaxWait = std::chrono::days{365 * 100};
// Below 1e9 (2001-09-09 as an epoch) a number can only be a delta: no reset lies in 2001, and no
// provider asks for 31 years. Reference §8.2 item 1: Hermes read x-ratelimit-reset "60" as 1970.
constexpr double kEpochSecondsFloor = 1e9;
// Above 1e12 (year 33658 in seconds) the number is epoch milliseconds (reference §2.4).
constexpr double kEpochMillisFloor = 1e12;
// Far-future epochs are capped before the integer conversion so it stays defined (UBSan).
constexpr double kEpochSecondsCeiling = 1e11;
// The message grammars only look at the start of a message; error texts are short.
constexpr std::size_t kMessageScanLimit = 16 * 1024;

struct Candidate {
  std::optional<WallTime> at;
  std::optional<milliseconds> wait;  // set only for explicit waits
};

WallTime after(WallTime now, milliseconds wait) {
  return now + std::chrono::ceil<std::chrono::seconds>(std::min(wait, kMaxWait));
}

Candidate from_wait(milliseconds wait, WallTime now) {
  wait = std::clamp(wait, milliseconds{0}, kMaxWait);
  return {after(now, wait), wait};
}

Candidate from_delta(milliseconds delta, WallTime now) { return {after(now, delta), {}}; }

// Returns the objects whose fields may carry hints: body.error (OpenAI, Codex, Google), then body.
std::vector<const json*> hint_objects(const json& body) {
  std::vector<const json*> out;
  if (!body.is_object()) return out;
  if (auto it = body.find("error"); it != body.end() && it->is_object()) out.push_back(&*it);
  out.push_back(&body);
  return out;
}

const json* find_field(const std::vector<const json*>& objects, std::string_view key) {
  for (const json* o : objects) {
    if (auto it = o->find(key); it != o->end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::optional<WallTime> absolute_value(const json& v, WallTime now) {
  if (v.is_number()) return time_from_number(v.get<double>(), now);
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  if (auto n = parse_decimal(s)) return time_from_number(*n, now);
  return parse_iso8601(s);
}

std::optional<milliseconds> seconds_value(const json& v) {
  std::optional<double> secs;
  if (v.is_number()) secs = v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    secs = parse_decimal(s);
    if (!secs) return parse_duration_exact(s);
  }
  if (!secs || !std::isfinite(*secs) || *secs < 0) return std::nullopt;
  return milliseconds{static_cast<std::int64_t>(std::ceil(std::min(*secs, 1e10) * 1000))};
}

// Returns the first of the fields that reads as a time, past or not.
Candidate body_resets_at(const std::vector<const json*>& objects, WallTime now) {
  for (std::string_view key : {"resets_at", "reset_at", "retry_until"}) {
    if (const json* v = find_field(objects, key)) {
      if (auto t = absolute_value(*v, now)) return {t, {}};
    }
  }
  return {};
}

Candidate body_resets_in(const std::vector<const json*>& objects, WallTime now) {
  const json* v = find_field(objects, "resets_in_seconds");
  if (v == nullptr) return {};
  auto d = seconds_value(*v);
  return d ? from_delta(*d, now) : Candidate{};
}

Candidate body_retry_after(const std::vector<const json*>& objects, WallTime now) {
  const json* v = find_field(objects, "retry_after");
  if (v == nullptr) return {};
  auto d = seconds_value(*v);
  return d ? from_wait(*d, now) : Candidate{};
}

// Google: {"error": {"details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
// "retryDelay": "13s"}]}}; retryDelay is a protobuf Duration in its JSON form.
Candidate google_retry_delay(const std::vector<const json*>& objects, WallTime now) {
  const json* details = find_field(objects, "details");
  if (details == nullptr || !details->is_array()) return {};
  for (const json& d : *details) {
    if (!d.is_object()) continue;
    auto it = d.find("retryDelay");
    if (it == d.end() || !it->is_string()) continue;
    if (auto wait = parse_duration_exact(it->get_ref<const std::string&>())) {
      return from_wait(*wait, now);
    }
  }
  return {};
}

Candidate retry_after_header(const HeaderList& headers, WallTime now) {
  // retry-after-ms: OpenAI's and Anthropic's SDKs honour it before Retry-After.
  if (auto v = text::find_header(headers, "retry-after-ms")) {
    if (auto ms = parse_decimal(*v); ms && *ms >= 0) {
      return from_wait(milliseconds{static_cast<std::int64_t>(std::min(*ms, 1e12))}, now);
    }
  }
  auto v = text::find_header(headers, "retry-after");
  if (!v) return {};
  if (auto secs = parse_decimal(*v); secs && *secs >= 0) {
    return from_wait(milliseconds{static_cast<std::int64_t>(std::min(*secs, 1e10) * 1000)}, now);
  }
  if (auto date = parse_http_date(*v)) {  // a date already past asks for no wait at all
    return from_wait(
        std::max(std::chrono::duration_cast<milliseconds>(*date - now), milliseconds{0}), now);
  }
  return {};
}

// One family of per-dimension limits, e.g. x-ratelimit-reset-requests / -tokens with
// x-ratelimit-remaining-requests / -tokens. Names are lower-case.
struct Family {
  std::string_view prefix;     // "x-ratelimit-reset-", "anthropic-ratelimit-"
  std::string_view suffix;     // "", "-reset"
  std::string_view remaining;  // name of the remaining header: prefix-part, dim inserted
  std::string_view remaining_suffix;
  std::optional<WallTime> (*parse)(std::string_view value, WallTime now);
};

std::optional<WallTime> parse_openai_reset(std::string_view value, WallTime now) {
  if (auto d = parse_duration_exact(value)) return after(now, *d);
  if (auto n = parse_decimal(value); n && *n > 0) return time_from_number(*n, now);
  return std::nullopt;
}

std::optional<WallTime> parse_anthropic_reset(std::string_view value, WallTime now) {
  if (auto t = parse_iso8601(value)) return t;
  if (auto n = parse_decimal(value)) return time_from_number(*n, now);
  return std::nullopt;
}

constexpr std::array<Family, 2> kFamilies{{
    {"x-ratelimit-reset-", "", "x-ratelimit-remaining-", "", &parse_openai_reset},
    {"anthropic-ratelimit-", "-reset", "anthropic-ratelimit-", "-remaining",
     &parse_anthropic_reset},
}};

// True when the dimension's remaining count is 0, or (Anthropic unified limits) its status says
// "rejected": that is the limit that was hit, so its reset is the one that matters.
bool dimension_exhausted(const HeaderList& headers, const Family& f, std::string_view dim) {
  std::string name = std::string(f.remaining) + std::string(dim) + std::string(f.remaining_suffix);
  if (auto v = text::find_header(headers, name)) {
    if (auto n = parse_decimal(*v); n && *n <= 0) return true;
  }
  if (f.suffix.empty()) return false;
  name = std::string(f.prefix) + std::string(dim) + "-status";
  auto status = text::find_header(headers, name);
  return status && text::iequals(*status, "rejected");
}

// Returns the reset of the family's exhausted dimension, else its latest future reset, else its
// latest past one.
Candidate family_reset(const HeaderList& headers, const Family& f, WallTime now) {
  std::optional<WallTime> latest;
  std::optional<WallTime> latest_exhausted;
  std::optional<WallTime> latest_past;
  for (const auto& [key, value] : headers) {
    const std::string name = text::to_lower(key);
    if (name.size() <= f.prefix.size() + f.suffix.size() || !name.starts_with(f.prefix) ||
        !name.ends_with(f.suffix)) {
      continue;
    }
    const std::string_view dim = std::string_view(name).substr(
        f.prefix.size(), name.size() - f.prefix.size() - f.suffix.size());
    auto t = f.parse(text::trim(value), now);
    if (!t) continue;
    if (*t <= now) {
      latest_past = latest_past ? std::max(*latest_past, *t) : *t;
      continue;
    }
    latest = latest ? std::max(*latest, *t) : *t;
    if (dimension_exhausted(headers, f, dim)) {
      latest_exhausted = latest_exhausted ? std::max(*latest_exhausted, *t) : *t;
    }
  }
  if (latest_exhausted) return {latest_exhausted, {}};
  return {latest ? latest : latest_past, {}};
}

Candidate x_ratelimit_reset(const HeaderList& headers, WallTime now) {
  auto v = text::find_header(headers, "x-ratelimit-reset");
  if (!v) return {};
  if (auto n = parse_decimal(*v)) return {time_from_number(*n, now), {}};
  if (auto d = parse_duration_exact(*v)) return from_delta(*d, now);  // "1m30s" (§8.2 item 1)
  if (auto t = parse_iso8601(*v)) return {t, {}};
  return {};
}

Candidate message_delay(std::string_view message, WallTime now) {
  bool is_wait = false;
  auto d = parse_message_delay(message, &is_wait);
  if (!d) return {};
  return is_wait ? from_wait(*d, now) : from_delta(*d, now);
}

struct Phrase {
  std::string_view text;
  bool is_wait;
  bool bare_is_seconds;
};

// In priority order: an explicit retry request is the wait the provider actually wants, a
// "resets in" window may be a long quota window around it (reference §2.4).
constexpr std::array<Phrase, 10> kPhrases{{
    {"quotaResetDelay", true, false},  // Google: "quotaResetDelay: 500ms"
    {"retry after", true, true},
    {"retry-after", true, true},
    {"retry in", true, true},  // Gemini: "Please retry in 13.53s."
    {"try again in", true, true},
    {"try again after", true, true},
    {"resets_in_seconds", false, true},  // a Codex body echoed into the text
    {"resets in", false, false},
    {"reset in", false, false},
    {"resets after", false, false},
}};

}  // namespace

std::optional<WallTime> time_from_number(double value, WallTime now) {
  if (!std::isfinite(value) || value <= 0) return std::nullopt;
  if (value < kEpochSecondsFloor) {
    return now + std::chrono::ceil<std::chrono::seconds>(
                     std::chrono::duration<double>(std::min(value, 1e8)));
  }
  double epoch_seconds = value > kEpochMillisFloor ? value / 1000 : value;
  epoch_seconds = std::min(epoch_seconds, kEpochSecondsCeiling);
  return from_epoch(static_cast<long long>(std::floor(epoch_seconds)));
}

std::optional<milliseconds> parse_message_delay(std::string_view message, bool* is_wait) {
  message = message.substr(0, kMessageScanLimit);
  for (const Phrase& p : kPhrases) {
    // Bounded: each pass moves `from` forward by at least one byte.
    for (std::size_t at = text::ifind(message, p.text); at != std::string_view::npos;
         at = text::ifind(message, p.text, at + 1)) {
      std::size_t i = at + p.text.size();
      // Skip what sits between a key and its value: `: `, `"`, `=`.
      while (i < message.size() && (message[i] == ' ' || message[i] == ':' || message[i] == '"' ||
                                    message[i] == '=' || message[i] == '\'')) {
        ++i;
      }
      if (auto d = parse_duration(message.substr(i), p.bare_is_seconds)) {
        if (is_wait != nullptr) *is_wait = p.is_wait;
        return d;
      }
    }
  }
  return std::nullopt;
}

ResetHints parse_reset_hints(const HeaderList& headers, const json& body, std::string_view message,
                             WallTime now) {
  const std::vector<const json*> objects = hint_objects(body);
  const std::array<std::pair<std::string_view, Candidate>, 9> candidates{{
      {"body.resets_at", body_resets_at(objects, now)},
      {"body.resets_in_seconds", body_resets_in(objects, now)},
      {"body.retry_after", body_retry_after(objects, now)},
      {"body.retryDelay", google_retry_delay(objects, now)},
      {"retry-after", retry_after_header(headers, now)},
      {"x-ratelimit-reset-*", family_reset(headers, kFamilies[0], now)},
      {"x-ratelimit-reset", x_ratelimit_reset(headers, now)},
      {"anthropic-ratelimit-*-reset", family_reset(headers, kFamilies[1], now)},
      {"message", message_delay(message, now)},
  }};
  ResetHints out;
  for (const auto& [source, c] : candidates) {
    if (!out.resets_at && c.at && *c.at > now) {
      out.resets_at = c.at;
      out.source = source;
    }
    if (!out.retry_after && c.wait) out.retry_after = c.wait;
  }
  // No reset ahead: a reset the provider gave that has already passed (a stale header, clock
  // skew) is still reported, so that the cooldown can say "cool briefly" rather than fall back
  // to the long default.
  for (const auto& [source, c] : candidates) {
    if (out.resets_at) break;
    if (c.at) {
      out.resets_at = c.at;
      out.source = source;
    }
  }
  return out;
}

}  // namespace credpool::core
