#include <algorithm>
#include <cctype>
#include <charconv>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include "config/config.h"

namespace credpool::config {
namespace {

// Prefixes a message with "file:line: " when the config came from a file.
std::string at(const Config& config, int line, std::string_view message) {
  if (config.source.empty()) return std::string(message);
  if (line <= 0) return fmt::format("{}: {}", config.source.string(), message);
  return fmt::format("{}:{}: {}", config.source.string(), line, message);
}

Result<void> validate_route(const Config& config, const Route& route, std::size_t index) {
  const std::string name = fmt::format("routes[{}] (match '{}')", index, route.match);
  std::vector<std::string> providers{route.provider};
  for (const RouteTarget& target : route.fallback) providers.push_back(target.provider);

  std::optional<providers::ProviderInfo> first;
  for (const std::string& provider : providers) {
    const std::optional<providers::ProviderInfo> info = lookup_provider(config, provider);
    if (!info) {
      return Error{
          ErrorCode::InvalidArgument,
          at(config, route.line, fmt::format("{}: unknown provider '{}'", name, provider))};
    }
    if (!first) {
      first = info;
    } else if (info->wire != first->wire) {
      return Error{ErrorCode::InvalidArgument,
                   at(config, route.line,
                      fmt::format("{}: fallback chain mixes wires: {} speaks {}, {} speaks {}",
                                  name, first->id, providers::to_string(first->wire), info->id,
                                  providers::to_string(info->wire)))};
    }
  }
  return ok();
}

}  // namespace

Result<HostPort> parse_listen(std::string_view listen) {
  const auto bad = [&](std::string_view why) {
    return Error{ErrorCode::InvalidArgument,
                 fmt::format("listen '{}': {} (expected host:port)", listen, why)};
  };
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 host needs brackets, as in [::1]:4000");
  }
  if (host.empty()) return bad("empty host");
  unsigned port = 0;
  const auto [ptr, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("port must be 0 to 65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

bool is_loopback_host(std::string_view host) {
  std::string name(host);
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;  // ::ffff:127.x.y.z
  }
  return false;
}

Result<void> validate(const Config& config) {
  const Result<HostPort> listen = parse_listen(config.listen);
  if (!listen) return Error{ErrorCode::InvalidArgument, at(config, 0, listen.error().message)};
  for (const auto* key : {&config.default_provider, &config.default_anthropic_provider}) {
    if (!resolve_pool_key(config, *key)) {
      const char* name =
          key == &config.default_provider ? "default_provider" : "default_anthropic_provider";
      return Error{ErrorCode::InvalidArgument,
                   at(config, 0, fmt::format("{}: unknown provider '{}'", name, *key))};
    }
  }
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    if (Result<void> r = validate_route(config, config.routes[i], i); !r) return r;
  }
  if (config.client_keys.empty() && !is_loopback_host(listen->host)) {
    return Error{ErrorCode::InvalidArgument,
                 at(config, 0,
                    fmt::format("listen {} is not a loopback address: set client_keys so that "
                                "only your clients can use the pooled credentials",
                                config.listen))};
  }
  return ok();
}

}  // namespace credpool::config
