#include "config/yaml_reader.h"

#include <charconv>

#include <fmt/format.h>

namespace credpool::config {

std::string YamlReader::where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return std::string(file_name_);
  return fmt::format("{}:{}", file_name_, mark.line + 1);
}

Error YamlReader::bad(const YAML::Node& node, std::string_view key,
                      std::string_view problem) const {
  return Error{ErrorCode::InvalidArgument, fmt::format("{}: {}: {}", where(node), key, problem)};
}

void YamlReader::warn_unknown(const YAML::Node& key_node, std::string_view key) const {
  if (warnings_ == nullptr) return;
  warnings_->push_back(fmt::format("{}: unknown key '{}' (ignored)", where(key_node), key));
}

Result<std::string> YamlReader::expand(std::string_view value, const YAML::Node& node,
                                       std::string_view key) const {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size()) {
    const std::size_t open = value.find("${", i);
    if (open == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    out.append(value.substr(i, open - i));
    const std::size_t close = value.find('}', open + 2);
    if (close == std::string_view::npos) return bad(node, key, "'${' without a closing '}'");
    const std::string name(value.substr(open + 2, close - open - 2));
    if (name.empty()) return bad(node, key, "empty variable name in '${}'");
    const std::optional<std::string> found = env_ ? env_(name) : std::nullopt;
    if (!found) return bad(node, key, fmt::format("environment variable {} is not set", name));
    out.append(*found);
    i = close + 1;
  }
  return out;
}

Result<std::string> YamlReader::text(const YAML::Node& node, std::string_view key) const {
  if (node.IsNull()) return std::string();
  if (!node.IsScalar()) return bad(node, key, "expected a single value");
  return expand(node.Scalar(), node, key);
}

Result<std::uint64_t> YamlReader::unsigned_int(const YAML::Node& node, std::string_view key) const {
  Result<std::string> raw = text(node, key);
  if (!raw) return raw.error();
  const std::string& digits = *raw;
  std::uint64_t value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec != std::errc() || ptr != end) {
    return bad(node, key, "expected a non-negative integer");
  }
  return value;
}

Result<std::chrono::seconds> YamlReader::seconds(const YAML::Node& node,
                                                 std::string_view key) const {
  Result<std::uint64_t> value = unsigned_int(node, key);
  if (!value) return value.error();
  // Ten years is far beyond any cooldown or timeout; larger values are typos.
  constexpr std::uint64_t kMaxSeconds = 10ull * 365 * 24 * 3600;
  if (*value > kMaxSeconds) return bad(node, key, "more than ten years of seconds");
  return std::chrono::seconds(static_cast<std::int64_t>(*value));
}

Result<std::vector<std::string>> YamlReader::text_list(const YAML::Node& node,
                                                       std::string_view key) const {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    Result<std::string> one = text(node, key);
    if (!one) return one.error();
    out.push_back(std::move(*one));
    return out;
  }
  if (!node.IsSequence()) return bad(node, key, "expected a list");
  std::size_t index = 0;
  for (const YAML::Node& item : node) {
    Result<std::string> value = text(item, fmt::format("{}[{}]", key, index++));
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
  return out;
}

Result<void> YamlReader::expect_map(const YAML::Node& node, std::string_view key) const {
  if (node.IsNull() || node.IsMap()) return ok();
  return bad(node, key, "expected a map");
}

Result<void> YamlReader::expect_sequence(const YAML::Node& node, std::string_view key) const {
  if (node.IsNull() || node.IsSequence()) return ok();
  return bad(node, key, "expected a list");
}

std::string key_text(const YAML::Node& key_node) {
  return key_node.IsScalar() ? key_node.Scalar() : std::string();
}

}  // namespace credpool::config
