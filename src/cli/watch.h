#pragma once

#include <string_view>

namespace credpool::cli {

// Returns what `status --watch` prints before snapshot number `frame` (0-based). With
// `clear_screen` (text on a terminal): the ANSI home-and-clear codes, so each snapshot redraws the
// screen. Otherwise nothing before the first and a blank line before each later one, so a pipe or
// log file gets every snapshot whole and no control codes. Pure; thread-safe.
std::string_view watch_separator(bool clear_screen, long frame);

}  // namespace credpool::cli
