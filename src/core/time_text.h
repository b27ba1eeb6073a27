#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/clock.h"

// Text formats of times and durations that providers put in headers, bodies and messages.
// Pure functions: no clock, no allocation beyond the return value. They never throw.
namespace credpool::core {

// Parses a duration made of <number><unit> parts, as in Go ("6m0s", "1.5s", "20ms", "1h2m3s",
// OpenAI's x-ratelimit-reset-*), protobuf JSON ("13s", Google retryDelay) or prose ("30 seconds",
// "4hr 5min", "1 minute and 30 seconds"). Units: ms, us/µs, s/sec/second(s), m/min/minute(s),
// h/hr/hour(s), d/day(s). A bare leading number is read as seconds when `bare_is_seconds`.
// Parsing stops at the first text that is not part of the duration; `consumed` (optional) gets
// how many bytes were read. Returns nullopt when no duration starts at text[0] (after spaces).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                        bool bare_is_seconds = false,
                                                        std::size_t* consumed = nullptr);

// Parses a whole header value as a duration ("6m0s"); trailing text other than spaces fails.
std::optional<std::chrono::milliseconds> parse_duration_exact(std::string_view text);

// Parses an HTTP date in IMF-fixdate form, "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 §5.6.7);
// the weekday is optional and not checked.
std::optional<WallTime> parse_http_date(std::string_view text);

// Parses an RFC 3339 / ISO 8601 time: "2025-05-01T12:00:00Z", "2025-05-01T12:00:00.5+02:00",
// "2025-05-01 12:00:00", "2025-05-01". A time without an offset is UTC (Hermes read it as local
// time, reference §8.2 item 2). Fractions of a second are dropped.
std::optional<WallTime> parse_iso8601(std::string_view text);

// Parses a decimal number ("60", "1.5", "1714567890123"), with optional spaces around it; no
// exponent, no sign other than a leading '-'. Returns nullopt for anything else.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace credpool::core
