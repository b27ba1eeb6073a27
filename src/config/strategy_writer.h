#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace credpool::config {

// Returns `yaml` (the text of a config.yaml) with `credential_pool_strategies.<pool>` set to
// `strategy`, every other byte unchanged: comments, blank lines, key order, quoting and line
// endings stay as written (yaml-cpp's emitter would drop comments, and Hermes Agent reads the
// same file). Handles the block form (`credential_pool_strategies:` then indented `key: value`
// lines, the value replaced in place, a trailing comment kept), the one-line flow form
// (`{openai: least_used}`), an empty or null section, and no section at all (appended at the
// end). A key that is not a plain word (`custom:lab`) is written double-quoted; existing keys
// match quoted or not. Fails (InvalidArgument, naming the line) on a form it cannot edit safely:
// anchors, aliases, a flow mapping spread over several lines, or a section that is not a mapping.
// Pure; thread-safe.
Result<std::string> set_pool_strategy(std::string_view yaml, std::string_view pool,
                                      std::string_view strategy);

}  // namespace credpool::config
