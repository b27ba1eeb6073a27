// Fuzzes config.yaml reading. The whole input is the file's text; every `${VAR}` expands to one
// fixed value. A config that parses is then validated and its provider tables are derived, as
// `credpool serve` does at start-up.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace credpool;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const config::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return "fuzz-env-value";
  };
  std::vector<std::string> warnings;

  const auto parsed = config::Config::parse(text, "config.yaml", env, &warnings);
  if (!parsed) return 0;
  (void)config::validate(*parsed);

  for (const auto& provider : config::all_providers(*parsed)) {
    (void)config::cooldowns_for(*parsed, provider.id);
    (void)config::timeouts_for(*parsed, provider.id);
    (void)config::strategy_override(*parsed, provider.id);
    (void)config::effective_base_url(*parsed, provider, "");
  }
  for (const auto& route : parsed->routes) {
    (void)config::resolve_pool_key(*parsed, route.provider);
    for (const auto& step : route.fallback) (void)config::lookup_provider(*parsed, step.provider);
  }
  return 0;
}
