#pragma once

#include <vector>

#include "config/config.h"
#include "store/seeding.h"

namespace credpool::gateway {

// Returns, for every provider this config knows (built-in and custom), the environment
// variables whose keys join its pool. The CLI and the gateway seed from the same list.
std::vector<store::EnvSeed> env_seeds_of(const config::Config& config);
// Returns the keys that config.yaml's custom_providers bring (source `config:<name>`).
std::vector<store::ConfigSeed> config_seeds_of(const config::Config& config);

}  // namespace credpool::gateway
