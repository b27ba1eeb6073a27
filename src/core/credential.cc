#include "core/credential.h"

namespace credpool::core {

std::string_view to_string(AuthType type) {
  switch (type) {
    case AuthType::ApiKey:
      return "api_key";
    case AuthType::OAuth:
      return "oauth";
  }
  return "api_key";
}

std::optional<AuthType> parse_auth_type(std::string_view text) {
  if (text == "api_key" || text == "api-key") return AuthType::ApiKey;
  if (text == "oauth") return AuthType::OAuth;
  return std::nullopt;
}

std::string_view to_string(ResetSource source) {
  switch (source) {
    case ResetSource::Provider:
      return "provider";
    case ResetSource::ProviderClamped:
      return "provider_clamped";
    case ResetSource::Default:
      return "default";
  }
  return "default";
}

std::optional<ResetSource> parse_reset_source(std::string_view text) {
  if (text == "provider") return ResetSource::Provider;
  if (text == "provider_clamped") return ResetSource::ProviderClamped;
  if (text == "default") return ResetSource::Default;
  return std::nullopt;
}

std::string_view to_string(Health health) {
  switch (health) {
    case Health::Ok:
      return "ok";
    case Health::Cooling:
      return "cooling";
    case Health::Dead:
      return "dead";
  }
  return "ok";
}

const Exhaustion* exhaustion_in_force(const Credential& credential) {
  if (!credential.exhaustion) return nullptr;
  if (credential.status_cleared_at && credential.exhaustion->at < *credential.status_cleared_at) {
    return nullptr;
  }
  return &*credential.exhaustion;
}

Health health_at(const Credential& credential, WallTime now) {
  const Exhaustion* e = exhaustion_in_force(credential);
  if (e == nullptr) return Health::Ok;
  if (e->dead) return Health::Dead;
  return now < e->resets_at ? Health::Cooling : Health::Ok;
}

}  // namespace credpool::core
