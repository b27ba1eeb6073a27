#pragma once

#include <filesystem>
#include <optional>

#include "core/result.h"

namespace credpool::cli {

// Where credpool keeps its state: $CREDPOOL_HOME, else ~/.credpool (DESIGN.md "Interfaces").
struct Home {
  std::filesystem::path dir;
  std::filesystem::path auth_file() const { return dir / "auth.json"; }
  std::filesystem::path lock_file() const { return dir / "auth.lock"; }
  std::filesystem::path journal_file() const { return dir / "events.jsonl"; }
  std::filesystem::path default_config_file() const { return dir / "config.yaml"; }
};

// Finds the home directory from the environment. Fails (NotFound) when neither CREDPOOL_HOME nor
// HOME is set. Does not create the directory: the store does that on its first write.
Result<Home> find_home();

// Returns the config file to read: `flag` (--config) when given, else the home's config.yaml.
std::filesystem::path config_path(const Home& home,
                                  const std::optional<std::filesystem::path>& flag);

}  // namespace credpool::cli
