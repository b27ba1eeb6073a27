#include "gateway/rate_limit_remaining.h"

#include <charconv>
#include <string_view>

#include "gateway/upstream_request.h"

namespace credpool::gateway {
namespace {

std::optional<std::uint64_t> parse_count(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Returns the first of `names` that is present and well-formed.
std::optional<std::uint64_t> first_count(const core::HeaderList& headers,
                                         std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (const auto value = find_header(headers, name)) {
      if (auto count = parse_count(*value)) return count;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<RateLimitRemaining> rate_limit_remaining_from(const core::HeaderList& headers,
                                                            core::WallTime now) {
  RateLimitRemaining out;
  out.requests = first_count(
      headers, {"x-ratelimit-remaining-requests", "anthropic-ratelimit-requests-remaining"});
  out.tokens = first_count(
      headers, {"x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-remaining"});
  if (!out.requests && !out.tokens) return std::nullopt;
  out.seen_at = now;
  return out;
}

nlohmann::json rate_limit_json(const std::optional<RateLimitRemaining>& remaining) {
  if (!remaining) return nullptr;
  nlohmann::json out = nlohmann::json::object();
  out["requests"] = remaining->requests ? nlohmann::json(*remaining->requests) : nullptr;
  out["tokens"] = remaining->tokens ? nlohmann::json(*remaining->tokens) : nullptr;
  out["seen_at"] = core::to_epoch(remaining->seen_at);
  return out;
}

void add_rate_limit_remaining(nlohmann::json& pools, const RateLimitsByPool& remaining) {
  if (!pools.is_object()) return;
  for (auto& [key, pool] : pools.items()) {
    if (!pool.is_object()) continue;
    const auto found_pool = remaining.find(key);
    auto credentials = pool.find("credentials");
    if (credentials == pool.end() || !credentials->is_array()) continue;
    if (found_pool == remaining.end()) continue;
    for (nlohmann::json& credential : *credentials) {
      if (!credential.is_object()) continue;
      const auto id = credential.find("id");
      if (id == credential.end() || !id->is_string()) continue;
      const auto found = found_pool->second.find(id->get<std::string>());
      if (found != found_pool->second.end()) {
        credential["rate_limit_remaining"] = rate_limit_json(found->second);
      }
    }
  }
}

}  // namespace credpool::gateway
