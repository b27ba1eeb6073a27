#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>

#include "cli/home.h"
#include "core/clock.h"
#include "core/random.h"

namespace credpool::cli {

// Exit codes (DESIGN.md "Pinned details / CLI"): 2 only for command-line syntax.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// What every command receives from the composition root (run). References outlive the command.
struct Context {
  Home home;
  std::optional<std::filesystem::path> config_flag;  // --config FILE
  const core::Clock& clock;
  core::Random& random;  // new credential ids
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// Prints "credpool: <message>" on the context's error stream and returns kExitFailure.
int fail(const Context& ctx, const Error& error);

}  // namespace credpool::cli
