#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace credpool::store {

// Reads a time from auth.json to the microsecond: epoch seconds (integer or float, as Hermes
// writes time.time()), epoch milliseconds (any number above 1e11), a numeric string of either, or
// an ISO-8601 string ("2026-09-10T08:00:00Z", "...+00:00", fractional seconds; a naive time is
// UTC, reference §8.2.2). Returns nullopt for null, absent or unreadable values, and for times
// outside years 0000-9999 (so adding a cooldown to a stored time cannot overflow).
std::optional<core::WallTime> read_json_time(const nlohmann::ordered_json& value);

// Parses an ISO-8601 date-time as above (fractions kept to the microsecond); nullopt when it is
// not one.
std::optional<core::WallTime> parse_iso8601(std::string_view text);

// How format_iso8601 names UTC: "Z", or "+00:00" as Python's isoformat() (Hermes' updated_at).
enum class IsoZone { Z, Offset };

// Formats as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (or "+00:00"), UTC; the fraction only when not zero.
std::string format_iso8601(core::WallTime time, IsoZone zone = IsoZone::Z);

// Returns a time as auth.json writes it: float epoch seconds with microseconds (1764671234.123456).
nlohmann::ordered_json epoch_json(core::WallTime time);

}  // namespace credpool::store
