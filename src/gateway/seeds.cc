#include "gateway/seeds.h"

#include "providers/catalogue.h"

namespace credpool::gateway {

std::vector<store::EnvSeed> env_seeds_of(const config::Config& config) {
  std::vector<store::EnvSeed> seeds;
  for (const providers::ProviderInfo& p : config::all_providers(config)) {
    if (!p.env_vars.empty()) seeds.push_back({p.id, p.env_vars});
  }
  return seeds;
}

std::vector<store::ConfigSeed> config_seeds_of(const config::Config& config) {
  std::vector<store::ConfigSeed> seeds;
  for (const config::CustomProvider& c : config.custom_providers) {
    seeds.push_back({c.pool_key, c.name, c.api_key, c.base_url});
  }
  return seeds;
}

}  // namespace credpool::gateway
