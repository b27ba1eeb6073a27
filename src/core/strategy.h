#pragma once

#include <optional>
#include <ostream>
#include <string_view>

namespace credpool::core {

// How a pool picks among its available credentials (DESIGN.md "pool").
enum class Strategy { FillFirst, RoundRobin, LeastUsed, Random };

// Returns the wire name ("fill_first", ...).
std::string_view to_string(Strategy strategy);
// Parses a wire name, trimmed and case-insensitive ("round-robin" is accepted too).
std::optional<Strategy> parse_strategy(std::string_view text);
std::ostream& operator<<(std::ostream& os, Strategy strategy);

}  // namespace credpool::core
