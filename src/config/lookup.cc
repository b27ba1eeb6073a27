#include <algorithm>
#include <cctype>

#include "config/config.h"

namespace credpool::config {
namespace {

std::string fold(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const CustomProvider* find_custom(const Config& config, std::string_view name) {
  const std::string wanted = fold(name);
  if (wanted.empty()) return nullptr;
  const std::string as_key =
      wanted.starts_with("custom:") ? wanted : providers::custom_pool_key(wanted);
  for (const CustomProvider& custom : config.custom_providers) {
    if (custom.pool_key == as_key || fold(custom.name) == wanted) return &custom;
  }
  return nullptr;
}

providers::ProviderInfo custom_info(const CustomProvider& custom) {
  providers::ProviderInfo info;
  info.id = custom.pool_key;
  info.wire = custom.wire;
  info.base_url = custom.base_url;
  switch (custom.wire) {
    case providers::Wire::OpenAI:
      info.auth = providers::AuthHeader::Bearer;
      break;
    case providers::Wire::Anthropic:
      info.auth = providers::AuthHeader::XApiKey;
      break;
  }
  info.default_type = core::AuthType::ApiKey;
  return info;
}

std::string without_trailing_slashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace

std::optional<std::string> resolve_pool_key(const Config& config, std::string_view name) {
  if (const providers::ProviderInfo* info = providers::find_provider(name)) return info->id;
  if (const CustomProvider* custom = find_custom(config, name)) return custom->pool_key;
  return std::nullopt;
}

std::optional<providers::ProviderInfo> lookup_provider(const Config& config,
                                                       std::string_view name) {
  if (const providers::ProviderInfo* info = providers::find_provider(name)) return *info;
  if (const CustomProvider* custom = find_custom(config, name)) return custom_info(*custom);
  return std::nullopt;
}

std::vector<providers::ProviderInfo> all_providers(const Config& config) {
  const auto builtins = providers::builtin_providers();
  std::vector<providers::ProviderInfo> out(builtins.begin(), builtins.end());
  for (const CustomProvider& custom : config.custom_providers) out.push_back(custom_info(custom));
  return out;
}

std::string effective_base_url(const Config& config, const providers::ProviderInfo& provider,
                               std::string_view entry_base_url) {
  const std::string entry = without_trailing_slashes(entry_base_url);
  const std::string catalogue = without_trailing_slashes(provider.base_url);
  // An entry carrying the catalogue default (Hermes writes it on every row) must not hide a
  // config override such as a local test upstream.
  if (!entry.empty() && entry != catalogue) return entry;
  if (const auto it = config.providers.find(provider.id);
      it != config.providers.end() && !it->second.base_url.empty()) {
    return without_trailing_slashes(it->second.base_url);
  }
  return catalogue;
}

Cooldowns cooldowns_for(const Config& config, std::string_view pool_key) {
  Cooldowns out = config.cooldowns;
  if (const auto it = config.providers.find(std::string(pool_key)); it != config.providers.end()) {
    for (const auto& [key, value] : it->second.cooldowns) out[key] = value;
  }
  return out;
}

Timeouts timeouts_for(const Config& config, std::string_view pool_key) {
  Timeouts out = config.timeouts;
  if (const auto it = config.providers.find(std::string(pool_key)); it != config.providers.end()) {
    const TimeoutOverrides& overrides = it->second.timeouts;
    out.connect = overrides.connect.value_or(out.connect);
    out.first_byte = overrides.first_byte.value_or(out.first_byte);
    out.idle = overrides.idle.value_or(out.idle);
  }
  return out;
}

std::optional<core::Strategy> strategy_override(const Config& config, std::string_view pool_key) {
  if (const auto it = config.credential_pool_strategies.find(std::string(pool_key));
      it != config.credential_pool_strategies.end()) {
    return it->second;
  }
  return std::nullopt;
}

}  // namespace credpool::config
