#include "gateway/upstream_request.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include <nlohmann/json.hpp>

namespace credpool::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Returns the header names a Connection header lists, which are hop-by-hop for this message.
std::vector<std::string> connection_tokens(const core::HeaderList& headers) {
  std::vector<std::string> tokens;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto token = trim(rest.substr(0, comma));
      if (!token.empty()) tokens.emplace_back(token);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return tokens;
}

bool listed(const std::vector<std::string>& tokens, std::string_view name) {
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const std::string& t) { return iequals(t, name); });
}

}  // namespace

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kHopByHop = {
      "connection", "keep-alive",        "proxy-connection", "te",
      "trailer",    "transfer-encoding", "upgrade",          "proxy-authorization"};
  return istarts_with(name, "proxy-") ||
         std::any_of(kHopByHop.begin(), kHopByHop.end(),
                     [&](std::string_view h) { return iequals(h, name); });
}

std::string upstream_url(std::string_view base_url, providers::Wire wire, std::string_view path) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  switch (wire) {
    case providers::Wire::OpenAI:
      if (path.starts_with("/v1/") || path == "/v1" || path.starts_with("/v1?")) {
        path.remove_prefix(3);
      }
      break;
    case providers::Wire::Anthropic:
      break;
  }
  std::string url(base_url);
  if (!path.empty() && path.front() != '/' && path.front() != '?') url += '/';
  url += path;
  return url;
}

core::HeaderList upstream_headers(const core::HeaderList& client, providers::Wire wire,
                                  providers::AuthHeader auth, const core::Secret& secret) {
  const auto dropped_by_connection = connection_tokens(client);
  core::HeaderList out;
  out.reserve(client.size() + 2);
  bool has_version = false;
  for (const auto& [name, value] : client) {
    if (is_hop_by_hop(name) || listed(dropped_by_connection, name) || iequals(name, "host") ||
        iequals(name, "authorization") || iequals(name, "x-api-key") ||
        istarts_with(name, "x-credpool-") || iequals(name, "content-length") ||
        iequals(name, "accept-encoding")) {
      continue;
    }
    if (iequals(name, "anthropic-version")) has_version = true;
    out.emplace_back(name, value);
  }
  switch (auth) {
    case providers::AuthHeader::Bearer:
      out.emplace_back("authorization", "Bearer " + secret.reveal());
      break;
    case providers::AuthHeader::XApiKey:
      out.emplace_back("x-api-key", secret.reveal());
      break;
  }
  if (wire == providers::Wire::Anthropic && !has_version) {
    out.emplace_back("anthropic-version", std::string(kDefaultAnthropicVersion));
  }
  return out;
}

core::HeaderList client_headers(const core::HeaderList& upstream) {
  const auto dropped_by_connection = connection_tokens(upstream);
  core::HeaderList out;
  out.reserve(upstream.size());
  for (const auto& [name, value] : upstream) {
    if (is_hop_by_hop(name) || listed(dropped_by_connection, name) ||
        iequals(name, "content-length")) {
      continue;
    }
    out.emplace_back(name, value);
  }
  return out;
}

Result<std::string> rewrite_model(std::string_view body, std::string_view model) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Error{ErrorCode::InvalidArgument, "request body is not a JSON object"};
  }
  json["model"] = std::string(model);
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace credpool::gateway
