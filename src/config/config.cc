#include "config/config.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "config/sections.h"
#include "config/yaml_reader.h"

namespace credpool::config {
namespace {

// Reads the top-level map key by key. Sections that refer to providers (providers, strategies,
// routes) are resolved after custom_providers, wherever it appears in the file.
Result<Config> parse_root(const YAML::Node& root, const YamlReader& reader) {
  Config config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return reader.bad(root, "(top level)", "expected a map of keys");

  std::vector<std::pair<YAML::Node, YAML::Node>> deferred;
  for (const auto& item : root) {
    const YAML::Node& key_node = item.first;
    const YAML::Node& value = item.second;
    const std::string key = key_text(key_node);
    Result<void> done = ok();
    if (key == "providers" || key == "credential_pool_strategies" || key == "routes" ||
        key == "default_provider" || key == "default_anthropic_provider") {
      deferred.emplace_back(key_node, value);
    } else if (key == "custom_providers") {
      done = read_custom_providers(value, reader, config);
    } else if (!read_scalar_section(key, value, reader, config, &done)) {
      reader.warn_unknown(key_node, key);
    }
    if (!done) return done.error();
  }
  for (const auto& [key_node, value] : deferred) {
    const std::string key = key_text(key_node);
    Result<void> done = ok();
    if (key == "providers") {
      done = read_providers(value, reader, config);
    } else if (key == "credential_pool_strategies") {
      done = read_strategies(value, reader, config);
    } else if (key == "routes") {
      done = read_routes(value, reader, config);
    } else {
      Result<std::string> name = reader.text(value, key);
      if (!name) return name.error();
      std::string& target =
          key == "default_provider" ? config.default_provider : config.default_anthropic_provider;
      if (!name->empty()) target = resolve_pool_key(config, *name).value_or(*name);
    }
    if (!done) return done.error();
  }
  return config;
}

}  // namespace

Result<Config> Config::parse(std::string_view yaml, std::string_view file_name,
                             const EnvLookup& env, std::vector<std::string>* warnings) {
  const YamlReader reader(file_name, env, warnings);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return parse_root(root, reader);
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; a null mark (-1) has no position.
    const std::string where = e.mark.line >= 0 ? fmt::format("{}:{}", file_name, e.mark.line + 1)
                                               : std::string(file_name);
    return Error{ErrorCode::Corrupt, fmt::format("{}: invalid YAML: {}", where, e.msg)};
  }
}

Result<Config> Config::load(const std::filesystem::path& file, const EnvLookup& env,
                            std::vector<std::string>* warnings) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(file, ec);
  if (ec) {
    return Error{ErrorCode::Io, fmt::format("{}: cannot stat: {}", file.string(), ec.message())};
  }
  if (!exists) return Config{};
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Error{ErrorCode::Io, fmt::format("{}: not a regular file", file.string())};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) return Error{ErrorCode::Io, fmt::format("{}: cannot open", file.string())};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{ErrorCode::Io, fmt::format("{}: cannot read", file.string())};
  Result<Config> config = parse(text.str(), file.string(), env, warnings);
  if (config) config->source = file;
  return config;
}

}  // namespace credpool::config
