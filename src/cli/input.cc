#include "cli/input.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "providers/catalogue.h"

namespace credpool::cli {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char p, char t) {
           return p == std::tolower(static_cast<unsigned char>(t));
         });
}

// The host of "user@host:port" or "[v6]:port"; empty when there is none.
std::string_view host_of(std::string_view authority) {
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    return close == std::string_view::npos ? std::string_view{} : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

}  // namespace

std::string trim_whitespace(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

Result<std::string> normalise_label(std::string_view label) {
  std::string trimmed = trim_whitespace(label);
  if (trimmed.empty()) return Error{ErrorCode::InvalidArgument, "--label must not be empty"};
  return trimmed;
}

Result<void> check_base_url(std::string_view url) {
  const auto bad = [url](std::string_view why) {
    return Error{ErrorCode::InvalidArgument,
                 fmt::format("--base-url '{}' is not a URL: {}", url, why)};
  };
  if (std::any_of(url.begin(), url.end(), is_space)) return bad("it contains whitespace");
  std::optional<std::string_view> rest;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (starts_with_ignoring_case(url, scheme)) rest = url.substr(scheme.size());
  }
  if (!rest) return bad("it must start with http:// or https://");
  if (host_of(rest->substr(0, rest->find_first_of("/?#"))).empty()) return bad("it has no host");
  return ok();
}

std::string normalise_provider_name(std::string_view name) {
  std::string trimmed = trim_whitespace(name);
  constexpr std::string_view kCustom = "custom:";
  if (!starts_with_ignoring_case(trimmed, kCustom)) return trimmed;
  return providers::custom_pool_key(std::string_view(trimmed).substr(kCustom.size()));
}

}  // namespace credpool::cli
