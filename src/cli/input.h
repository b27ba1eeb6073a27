#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

// Normalises and checks what the user typed on the command line, before any command uses it.
// Pure functions; thread-safe.
namespace credpool::cli {

// Returns `text` without leading and trailing whitespace (space, tab, CR, LF, VT, FF).
std::string trim_whitespace(std::string_view text);

// Returns a trimmed --label; fails (InvalidArgument, naming --label) when nothing is left, since
// an empty label could never be targeted.
Result<std::string> normalise_label(std::string_view label);

// Checks a --base-url: http:// or https:// (any case) followed by a non-empty host, with no
// whitespace inside. The error names --base-url and the value (a URL is not a secret).
Result<void> check_base_url(std::string_view url);

// Returns a PROVIDER argument in the form config::resolve_pool_key matches: trimmed, and a
// literal `custom:<name>` rewritten to its pool key (name lower-cased, spaces to '-'), so
// `custom:Lab X` finds the custom provider `Lab X` just as `Lab X` and `custom:lab-x` do.
std::string normalise_provider_name(std::string_view name);

}  // namespace credpool::cli
