#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace credpool::store {

// Reads a time from auth.json: epoch seconds (integer or float, floored), a numeric string, or an
// ISO-8601 string ("2026-09-10T08:00:00Z", "...+00:00", fractional seconds; a naive time is UTC,
// reference §8.2.2). Returns nullopt for null, absent or unreadable values, and for times outside
// years 0000-9999 (so adding a cooldown to a stored time cannot overflow).
std::optional<core::WallTime> read_json_time(const nlohmann::ordered_json& value);

// Parses an ISO-8601 date-time as above; nullopt when it is not one.
std::optional<core::WallTime> parse_iso8601(std::string_view text);

// Formats as "YYYY-MM-DDTHH:MM:SSZ" (UTC).
std::string format_iso8601(core::WallTime time);

}  // namespace credpool::store
