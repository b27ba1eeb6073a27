#include "cli/watch.h"

namespace credpool::cli {

std::string_view watch_separator(bool clear_screen, long frame) {
  if (clear_screen) return "\033[H\033[2J";
  return frame == 0 ? "" : "\n";
}

}  // namespace credpool::cli
