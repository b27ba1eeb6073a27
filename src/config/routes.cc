#include <fmt/format.h>

#include "config/sections.h"

namespace credpool::config {
namespace {

// Reads one fallback step: {provider, model?} or a bare provider name.
Result<void> read_target(const YAML::Node& value, const std::string& key, const YamlReader& reader,
                         RouteTarget& out) {
  if (value.IsScalar()) {
    Result<std::string> provider = reader.text(value, key);
    if (!provider) return provider.error();
    out.provider = std::move(*provider);
    return ok();
  }
  if (!value.IsMap()) return reader.bad(value, key, "expected {provider, model}");
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = key + "." + name;
    if (name != "provider" && name != "model") {
      reader.warn_unknown(item.first, path);
      continue;
    }
    Result<std::string> text = reader.text(item.second, path);
    if (!text) return text.error();
    (name == "provider" ? out.provider : out.model) = std::move(*text);
  }
  if (out.provider.empty()) return reader.bad(value, key + ".provider", "is required");
  return ok();
}

Result<void> read_fallback(const YAML::Node& value, const std::string& key,
                           const YamlReader& reader, Route& out) {
  if (value.IsNull()) return ok();
  if (value.IsScalar() || value.IsMap()) {  // a single step needs no list around it
    RouteTarget target;
    if (Result<void> r = read_target(value, key + "[0]", reader, target); !r) return r;
    out.fallback.push_back(std::move(target));
    return ok();
  }
  std::size_t index = 0;
  for (const YAML::Node& item : value) {
    RouteTarget target;
    if (Result<void> r = read_target(item, fmt::format("{}[{}]", key, index++), reader, target);
        !r) {
      return r;
    }
    out.fallback.push_back(std::move(target));
  }
  return ok();
}

Result<void> read_route(const YAML::Node& value, const std::string& key, const YamlReader& reader,
                        Route& out) {
  if (!value.IsMap()) return reader.bad(value, key, "expected {match, provider, fallback}");
  out.line = value.Mark().line + 1;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = key + "." + name;
    Result<void> done = ok();
    if (name == "match" || name == "provider" || name == "model") {
      Result<std::string> text = reader.text(item.second, path);
      if (!text) return text.error();
      (name == "match"      ? out.match
       : name == "provider" ? out.provider
                            : out.model) = std::move(*text);
    } else if (name == "fallback") {
      done = read_fallback(item.second, path, reader, out);
    } else {
      reader.warn_unknown(item.first, path);
    }
    if (!done) return done;
  }
  if (out.match.empty()) return reader.bad(value, key + ".match", "is required");
  if (out.provider.empty()) return reader.bad(value, key + ".provider", "is required");
  return ok();
}

}  // namespace

Result<void> read_strategies(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_map(value, "credential_pool_strategies"); !r) return r;
  for (const auto& item : value) {
    const std::string name = key_text(item.first);
    const std::string path = "credential_pool_strategies." + name;
    Result<std::string> text = reader.text(item.second, path);
    if (!text) return text.error();
    const std::optional<core::Strategy> strategy = core::parse_strategy(*text);
    if (!strategy) {
      return reader.bad(item.second, path,
                        "expected fill_first, round_robin, least_used or random");
    }
    const std::string pool =
        resolve_pool_key(config, name).value_or(providers::normalize_provider(name));
    config.credential_pool_strategies[pool] = *strategy;
  }
  return ok();
}

Result<void> read_routes(const YAML::Node& value, const YamlReader& reader, Config& config) {
  if (Result<void> r = reader.expect_sequence(value, "routes"); !r) return r;
  std::size_t index = 0;
  for (const YAML::Node& item : value) {
    Route route;
    if (Result<void> r = read_route(item, fmt::format("routes[{}]", index++), reader, route); !r) {
      return r;
    }
    config.routes.push_back(std::move(route));
  }
  return ok();
}

}  // namespace credpool::config
