#pragma once

#include <chrono>
#include <string>

namespace credpool::cli {

// Formats a remaining wait with its two largest units, the smaller one rounded up, as Hermes'
// `auth list` does: "45s", "59m 30s", "1h 0m", "3d 4h". Zero or negative reads "0s".
std::string duration_text(std::chrono::seconds remaining);

}  // namespace credpool::cli
