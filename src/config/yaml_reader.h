#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "core/result.h"

namespace credpool::config {

// Reads typed values out of a parsed YAML tree for Config::parse, turning every problem into an
// Error that names the file, the 1-based line and the dotted key ("providers.openai.base_url").
// Internal to the config layer. Never throws: every yaml-cpp call that can throw is wrapped.
// Never copies a value into a message unless the caller passes it explicitly (values may be keys).
class YamlReader {
 public:
  // Keeps references: `file_name`, `env` and `warnings` must outlive the reader.
  YamlReader(std::string_view file_name, const EnvLookup& env, std::vector<std::string>* warnings)
      : file_name_(file_name), env_(env), warnings_(warnings) {}

  // Returns "file:line" for a node (just the file name when the node has no position).
  std::string where(const YAML::Node& node) const;
  // Returns an InvalidArgument error "file:line: key: problem".
  Error bad(const YAML::Node& node, std::string_view key, std::string_view problem) const;
  // Appends "file:line: unknown key 'key' (ignored)" to the warnings.
  void warn_unknown(const YAML::Node& key_node, std::string_view key) const;

  // Reads a scalar as text with ${VAR} expanded. Fails on a map/sequence or an unset variable.
  Result<std::string> text(const YAML::Node& node, std::string_view key) const;
  // Reads a non-negative integer.
  Result<std::uint64_t> unsigned_int(const YAML::Node& node, std::string_view key) const;
  // Reads a non-negative integer of seconds.
  Result<std::chrono::seconds> seconds(const YAML::Node& node, std::string_view key) const;
  // Reads a sequence of scalars (a single scalar reads as a one-element list).
  Result<std::vector<std::string>> text_list(const YAML::Node& node, std::string_view key) const;
  // Checks that a node is a map (null reads as an empty map); returns the error otherwise.
  Result<void> expect_map(const YAML::Node& node, std::string_view key) const;
  // Checks that a node is a sequence (null reads as empty).
  Result<void> expect_sequence(const YAML::Node& node, std::string_view key) const;

  // Expands ${VAR} in `value` read at `node`/`key`. An unset variable or a `${` without `}` is an
  // error naming the variable and the key, never the value.
  Result<std::string> expand(std::string_view value, const YAML::Node& node,
                             std::string_view key) const;

 private:
  std::string_view file_name_;
  const EnvLookup& env_;
  std::vector<std::string>* warnings_;
};

// Returns the scalar text of a map key node ("" when it is not a scalar). Never throws.
std::string key_text(const YAML::Node& key_node);

}  // namespace credpool::config
