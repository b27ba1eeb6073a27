#include "config/sections.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/failure_reason.h"

namespace credpool::config {
namespace {

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Reads a string value into `out` unless it is empty; returns the error otherwise.
Result<void> read_text(const YAML::Node& value, std::string_view key, const YamlReader& reader,
                       std::string& out) {
  Result<std::string> text = reader.text(value, key);
  if (!text) return text.error();
  if (!text->empty()) out = std::move(*text);
  return ok();
}

bool is_http_status(std::string_view key) {
  int status = 0;
  const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), status);
  return key.size() == 3 && ec == std::errc() && ptr == key.data() + key.size() && status >= 100 &&
         status <= 599;
}

Result<void> read_listen(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = read_text(value, "listen", reader, config.listen); !r) return r;
  if (Result<HostPort> parsed = parse_listen(config.listen); !parsed) {
    return reader.bad(value, "listen", parsed.error().message);
  }
  return ok();
}

Result<void> read_store(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = read_text(value, "store", reader, config.store); !r) return r;
  const std::string& store = config.store;
  if (store != "file" && !store.starts_with("redis://") && !store.starts_with("rediss://")) {
    return reader.bad(value, "store", "expected 'file' or a redis://host:port/db URL");
  }
  return ok();
}

Result<void> read_client_keys(const YAML::Node& value, const YamlReader& reader, Config& config) {
  Result<std::vector<std::string>> keys = reader.text_list(value, "client_keys");
  if (!keys) return keys.error();
  config.client_keys.clear();
  for (std::string& key : *keys) {
    if (key.empty()) return reader.bad(value, "client_keys", "empty key");
    config.client_keys.emplace_back(std::move(key));
  }
  return ok();
}

// Reads an integer within [low, high] into `out`; the error names the key and the range.
Result<void> read_bounded(const YAML::Node& value, const std::string& key, const YamlReader& reader,
                          std::uint64_t low, std::uint64_t high, std::uint64_t& out) {
  Result<std::uint64_t> number = reader.unsigned_int(value, key);
  if (!number) return number.error();
  if (*number < low || *number > high) {
    return reader.bad(value, key, fmt::format("expected {} to {}", low, high));
  }
  out = *number;
  return ok();
}

// Reads a number of seconds of at least `low` into `out`.
Result<void> read_duration(const YAML::Node& value, const std::string& key,
                           const YamlReader& reader, std::chrono::seconds low,
                           std::chrono::seconds& out) {
  Result<std::chrono::seconds> seconds = reader.seconds(value, key);
  if (!seconds) return seconds.error();
  if (*seconds < low) {
    return reader.bad(value, key, fmt::format("must be at least {} seconds", low.count()));
  }
  out = *seconds;
  return ok();
}

// Bounds of `limits.*`. The body is held in memory, so 1 GiB is already far beyond any model's
// context; Beast's header limit is a 32-bit count, and a request line needs some room.
constexpr std::uint64_t kMaxBodyLimit = 1ull << 30;
constexpr std::uint64_t kMinHeaderLimit = 1ull << 10;
constexpr std::uint64_t kMaxHeaderLimit = 16ull << 20;
constexpr std::uint64_t kMaxConnectionsLimit = 1'000'000;

Result<void> read_limits(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_map(value, "limits"); !r) return r;
  Limits& limits = config.limits;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string key = "limits." + name;
    const YAML::Node& node = item.second;
    Result<void> done = ok();
    if (name == "max_body_bytes") {
      done = read_bounded(node, key, reader, 1, kMaxBodyLimit, limits.max_body_bytes);
    } else if (name == "max_header_bytes") {
      done = read_bounded(node, key, reader, kMinHeaderLimit, kMaxHeaderLimit,
                          limits.max_header_bytes);
    } else if (name == "max_connections") {
      done = read_bounded(node, key, reader, 1, kMaxConnectionsLimit, limits.max_connections);
    } else if (name == "header_timeout") {
      done = read_duration(node, key, reader, std::chrono::seconds(1), limits.header_timeout);
    } else if (name == "client_idle_timeout") {
      done = read_duration(node, key, reader, std::chrono::seconds(1), limits.client_idle_timeout);
    } else if (name == "shutdown_grace") {
      done = read_duration(node, key, reader, std::chrono::seconds(0), limits.shutdown_grace);
    } else {
      reader.warn_unknown(item.first, key);
    }
    if (!done) return done;
  }
  return ok();
}

Result<void> read_tls(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_map(value, "tls"); !r) return r;
  for (const auto& item : value) {
    const std::string key = key_text(item.first);
    if (key != "ca_file") {
      reader.warn_unknown(item.first, "tls." + key);
      continue;
    }
    if (Result<void> r = read_text(item.second, "tls.ca_file", reader, config.tls_ca_file); !r) {
      return r;
    }
  }
  return ok();
}

Result<void> read_redis(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_map(value, "redis"); !r) return r;
  for (const auto& item : value) {
    const std::string key = key_text(item.first);
    if (key == "prefix") {
      Result<std::string> prefix = reader.text(item.second, "redis.prefix");
      if (!prefix) return prefix.error();
      config.redis.prefix = std::move(*prefix);
    } else if (key == "timeout_ms") {
      Result<std::uint64_t> ms = reader.unsigned_int(item.second, "redis.timeout_ms");
      if (!ms) return ms.error();
      if (*ms == 0 || *ms > 600'000) {
        return reader.bad(item.second, "redis.timeout_ms", "expected 1 to 600000");
      }
      config.redis.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
    } else {
      reader.warn_unknown(item.first, "redis." + key);
    }
  }
  return ok();
}

Result<void> read_log_format(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = read_text(value, "log_format", reader, config.log_format); !r) return r;
  if (config.log_format != "text" && config.log_format != "json") {
    return reader.bad(value, "log_format", "expected 'text' or 'json'");
  }
  return ok();
}

Result<void> read_global_timeouts(const YAML::Node& value, const YamlReader& reader,
                                  Config& config) {
  TimeoutOverrides overrides;
  if (Result<void> r = read_timeouts(value, "timeouts", reader, overrides); !r) return r;
  config.timeouts.connect = overrides.connect.value_or(config.timeouts.connect);
  config.timeouts.first_byte = overrides.first_byte.value_or(config.timeouts.first_byte);
  config.timeouts.idle = overrides.idle.value_or(config.timeouts.idle);
  return ok();
}

Result<void> read_oauth(const YAML::Node& value, const std::string& key, const YamlReader& reader,
                        OAuthSettings& out) {
  if (Result<void> r = reader.expect_map(value, key); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    std::string* field = name == "device_authorization_url" ? &out.device_authorization_url
                         : name == "token_url"              ? &out.token_url
                         : name == "client_id"              ? &out.client_id
                         : name == "scope"                  ? &out.scope
                                                            : nullptr;
    if (field == nullptr) {
      reader.warn_unknown(item.first, key + "." + name);
      continue;
    }
    if (Result<void> r = read_text(item.second, key + "." + name, reader, *field); !r) return r;
  }
  return ok();
}

Result<void> read_provider_settings(const YAML::Node& value, const std::string& key,
                                    const YamlReader& reader, ProviderSettings& out) {
  if (Result<void> r = reader.expect_map(value, key); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = key + "." + name;
    Result<void> done = ok();
    if (name == "base_url") {
      done = read_text(item.second, path, reader, out.base_url);
      out.base_url = strip_trailing_slashes(out.base_url);
    } else if (name == "cooldowns") {
      done = read_cooldowns(item.second, path, reader, out.cooldowns);
    } else if (name == "timeouts") {
      done = read_timeouts(item.second, path, reader, out.timeouts);
    } else if (name == "oauth") {
      out.oauth.emplace();
      done = read_oauth(item.second, path, reader, *out.oauth);
    } else {
      reader.warn_unknown(item.first, path);
    }
    if (!done) return done;
  }
  return ok();
}

Result<void> read_custom_provider(const YAML::Node& value, const std::string& key,
                                  const YamlReader& reader, CustomProvider& out) {
  if (!value.IsMap()) return reader.bad(value, key, "expected a map with name and base_url");
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = key + "." + name;
    if (name == "name" || name == "base_url") {
      std::string& field = name == "name" ? out.name : out.base_url;
      if (Result<void> r = read_text(item.second, path, reader, field); !r) return r;
    } else if (name == "api_key") {
      Result<std::string> secret = reader.text(item.second, path);
      if (!secret) return secret.error();
      out.api_key = core::Secret(std::move(*secret));
    } else if (name == "wire") {
      Result<std::string> wire = reader.text(item.second, path);
      if (!wire) return wire.error();
      const std::optional<providers::Wire> parsed = providers::parse_wire(*wire);
      if (!parsed) return reader.bad(item.second, path, "expected 'openai' or 'anthropic'");
      out.wire = *parsed;
    } else {
      reader.warn_unknown(item.first, path);
    }
  }
  out.base_url = strip_trailing_slashes(out.base_url);
  if (out.base_url.empty()) return reader.bad(value, key, "base_url is required");
  out.pool_key = providers::custom_pool_key(out.name.empty() ? out.base_url : out.name);
  // Without a name the URL host names the provider everywhere (its seeded row's source and label
  // read `config:<host>`), not only in the pool key.
  if (out.name.empty()) out.name = out.pool_key.substr(std::string_view("custom:").size());
  return ok();
}

}  // namespace

bool read_scalar_section(std::string_view key, const YAML::Node& value, const YamlReader& reader,
                         Config& config, Result<void>* done) {
  if (key == "listen") {
    *done = read_listen(value, reader, config);
  } else if (key == "store") {
    *done = read_store(value, reader, config);
  } else if (key == "client_keys") {
    *done = read_client_keys(value, reader, config);
  } else if (key == "cooldowns") {
    *done = read_cooldowns(value, "cooldowns", reader, config.cooldowns);
  } else if (key == "limits") {
    *done = read_limits(value, reader, config);
  } else if (key == "max_cooldown") {
    *done =
        read_duration(value, "max_cooldown", reader, std::chrono::seconds(1), config.max_cooldown);
  } else if (key == "timeouts") {
    *done = read_global_timeouts(value, reader, config);
  } else if (key == "tls") {
    *done = read_tls(value, reader, config);
  } else if (key == "redis") {
    *done = read_redis(value, reader, config);
  } else if (key == "log_format") {
    *done = read_log_format(value, reader, config);
  } else {
    return false;
  }
  return true;
}

Result<void> read_cooldowns(const YAML::Node& value, std::string_view key, const YamlReader& reader,
                            Cooldowns& out) {
  if (Result<void> r = reader.expect_map(value, key); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = fmt::format("{}.{}", key, name);
    std::string normalized = name;
    if (const auto reason = core::parse_failure_reason(name)) {
      normalized = std::string(core::to_string(*reason));
    } else if (name != "sole" && !is_http_status(name)) {
      return reader.bad(item.first, path,
                        "expected an HTTP status (\"429\"), a failure reason or \"sole\"");
    }
    Result<std::chrono::seconds> seconds = reader.seconds(item.second, path);
    if (!seconds) return seconds.error();
    out[normalized] = *seconds;
  }
  return ok();
}

Result<void> read_timeouts(const YAML::Node& value, std::string_view key, const YamlReader& reader,
                           TimeoutOverrides& out) {
  if (Result<void> r = reader.expect_map(value, key); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = fmt::format("{}.{}", key, name);
    std::optional<std::chrono::seconds>* field = name == "connect"      ? &out.connect
                                                 : name == "first_byte" ? &out.first_byte
                                                 : name == "idle"       ? &out.idle
                                                                        : nullptr;
    if (field == nullptr) {
      reader.warn_unknown(item.first, path);
      continue;
    }
    Result<std::chrono::seconds> seconds = reader.seconds(item.second, path);
    if (!seconds) return seconds.error();
    if (seconds->count() == 0) return reader.bad(item.second, path, "must be positive");
    *field = *seconds;
  }
  return ok();
}

Result<void> read_custom_providers(const YAML::Node& value, const YamlReader& reader,
                                   Config& config) {
  if (Result<void> r = reader.expect_sequence(value, "custom_providers"); !r) return r;
  std::size_t index = 0;
  for (const YAML::Node& item : value) {
    const std::string key = fmt::format("custom_providers[{}]", index++);
    CustomProvider custom;
    if (Result<void> r = read_custom_provider(item, key, reader, custom); !r) return r;
    const bool taken =
        std::any_of(config.custom_providers.begin(), config.custom_providers.end(),
                    [&](const CustomProvider& other) { return other.pool_key == custom.pool_key; });
    if (taken) {
      return reader.bad(item, key, fmt::format("duplicate pool key {}", custom.pool_key));
    }
    config.custom_providers.push_back(std::move(custom));
  }
  return ok();
}

Result<void> read_providers(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_map(value, "providers"); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = "providers." + name;
    const std::optional<std::string> pool = resolve_pool_key(config, name);
    if (!pool) {
      // A Hermes config.yaml keeps its own providers here; keep going like for any unknown key.
      reader.warn_unknown(item.first, path);
      continue;
    }
    if (Result<void> r = read_provider_settings(item.second, path, reader, config.providers[*pool]);
        !r) {
      return r;
    }
  }
  return ok();
}

}  // namespace credpool::config
