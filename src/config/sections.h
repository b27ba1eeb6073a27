#pragma once

#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace credpool::config {

// Section readers of Config::parse, each filling its part of `config` from the section's value
// node. Internal to the config layer; they fail with the reader's file:line: key messages and warn
// about unknown nested keys.

// Reads the sections that need no provider resolution (listen, store, client_keys, cooldowns,
// limits, max_cooldown, timeouts, tls, redis, log_format). Returns false when `key` is none of
// them; otherwise stores the outcome in `*done`.
bool read_scalar_section(std::string_view key, const YAML::Node& value, const YamlReader& reader,
                         Config& config, Result<void>* done);

// Reads `custom_providers` (list of {name, base_url, api_key, wire}).
Result<void> read_custom_providers(const YAML::Node& value, const YamlReader& reader,
                                   Config& config);

// Reads `providers` (map id -> {base_url, cooldowns, timeouts, oauth}); needs custom providers.
Result<void> read_providers(const YAML::Node& value, const YamlReader& reader, Config& config);

// Reads `credential_pool_strategies` (map pool -> strategy name); needs custom providers.
Result<void> read_strategies(const YAML::Node& value, const YamlReader& reader, Config& config);

// Reads `routes` (list of {match, provider, model, fallback}).
Result<void> read_routes(const YAML::Node& value, const YamlReader& reader, Config& config);

// Reads a cooldown table: keys are statuses (100-599), failure reasons or "sole".
Result<void> read_cooldowns(const YAML::Node& value, std::string_view key, const YamlReader& reader,
                            Cooldowns& out);

// Reads a timeouts map ({connect, first_byte, idle}) as overrides.
Result<void> read_timeouts(const YAML::Node& value, std::string_view key, const YamlReader& reader,
                           TimeoutOverrides& out);

}  // namespace credpool::config
