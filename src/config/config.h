#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "core/strategy.h"
#include "providers/catalogue.h"

namespace credpool::config {

// Reads one environment variable; nullopt when unset. Same type as store::EnvLookup.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Upstream deadlines (DESIGN.md "Timeouts").
struct Timeouts {
  std::chrono::seconds connect{10};
  std::chrono::seconds first_byte{600};
  std::chrono::seconds idle{300};
};

// A provider's partial override of the global timeouts.
struct TimeoutOverrides {
  std::optional<std::chrono::seconds> connect;
  std::optional<std::chrono::seconds> first_byte;
  std::optional<std::chrono::seconds> idle;
};

// OAuth endpoints of a provider (device flow when device_authorization_url is set, else PKCE).
struct OAuthSettings {
  std::string device_authorization_url;
  std::string token_url;
  std::string client_id;
  std::string scope;
};

// Cooldown table: key is an HTTP status ("429"), a failure reason ("rate_limit") or "sole" (the
// only usable credential); a reason wins over a status (DESIGN.md "Pinned details").
using Cooldowns = std::map<std::string, std::chrono::seconds>;

// `providers.<id>`: overrides of one built-in (or custom) provider.
struct ProviderSettings {
  std::string base_url;  // empty: the catalogue's
  Cooldowns cooldowns;   // merged over the global table by cooldowns_for()
  TimeoutOverrides timeouts;
  std::optional<OAuthSettings> oauth;
};

// `custom_providers[]`: an endpoint outside the catalogue, pooled as custom:<name>.
struct CustomProvider {
  std::string name;      // as written; may be empty (then the pool key comes from the URL host)
  std::string pool_key;  // custom:<name lower-cased, spaces to ->
  std::string base_url;  // trailing '/' removed
  core::Secret api_key;  // empty when not given; seeded as source config:<name>
  providers::Wire wire = providers::Wire::OpenAI;
};

// One fallback step of a route. `provider` is as written (id, alias or custom name).
struct RouteTarget {
  std::string provider;
  std::string model;  // empty: the request's model
};

// `routes[]`: requests whose model matches `match` (a `*`/`?` glob on the whole model) go to
// `provider` (with `model` if set), then to each fallback in order.
struct Route {
  std::string match;
  std::string provider;
  std::string model;  // empty: the request's model
  std::vector<RouteTarget> fallback;
  int line = 0;  // 1-based line in config.yaml, for messages; 0 when built in code
};

// `limits`: what one client may ask of the gateway (DESIGN.md "Pinned details / Gateway / Limits").
// Every limit the HTTP library would apply by default is set from here (STYLE.md §6).
struct Limits {
  std::uint64_t max_body_bytes = 32ull << 20;    // request body; over it: 413 request_too_large
  std::uint64_t max_header_bytes = 64ull << 10;  // request line + fields; over it: 431
  std::chrono::seconds header_timeout{30};       // until a request head is complete; then 408
  std::chrono::seconds client_idle_timeout{75};  // a kept-alive connection waiting for a request
  std::uint64_t max_connections = 4096;          // open client connections; over it: 503
  std::chrono::seconds shutdown_grace{30};       // in-flight requests may finish after SIGTERM
};

struct RedisSettings {
  std::string prefix = "credpool:";
  std::chrono::milliseconds timeout{200};
};

// Every key of DESIGN.md's config.yaml, with its default. Immutable once loaded; share it as
// shared_ptr<const Config>.
struct Config {
  std::string listen = "127.0.0.1:4000";
  std::string store = "file";  // "file" or "redis://[user:password@]host:port/db"
  std::vector<core::Secret> client_keys;
  std::string default_provider = "openai";
  std::string default_anthropic_provider = "anthropic";
  std::map<std::string, ProviderSettings> providers;  // key: normalised provider id / pool key
  std::vector<CustomProvider> custom_providers;
  std::map<std::string, core::Strategy> credential_pool_strategies;  // key: pool key
  Cooldowns cooldowns;
  std::vector<Route> routes;
  Limits limits;
  // A provider reset further away than this is clamped (DESIGN.md "Recovery policy"); 31 days.
  std::chrono::seconds max_cooldown{2678400};
  Timeouts timeouts;
  std::string tls_ca_file;  // tls.ca_file; empty: system store / SSL_CERT_FILE
  RedisSettings redis;
  std::string log_format = "text";  // "text" | "json"
  std::filesystem::path source;     // the file loaded; empty when defaults were used

  // Loads config.yaml. A missing file yields the defaults. Syntax errors name the file and line;
  // bad values name the file, line and key; `${VAR}` in string values expands through `env`, an
  // unset variable being an error naming it and the key. Unknown keys append one warning each to
  // `warnings` (may be null) and are otherwise ignored, so a Hermes config.yaml can share the
  // home. Does not run validate(). Never throws; never puts a secret in a message.
  static Result<Config> load(const std::filesystem::path& file, const EnvLookup& env,
                             std::vector<std::string>* warnings);
  // Parses config text as if read from `file_name` (used by load() and by tests).
  static Result<Config> parse(std::string_view yaml, std::string_view file_name,
                              const EnvLookup& env, std::vector<std::string>* warnings);
};

// Checks cross-field rules: route providers exist (built-in id, alias or custom name), a route's
// steps share one wire (the message names the route), default providers exist, listen parses as
// host:port, and client_keys is non-empty when listen is not loopback. Returns the first error.
Result<void> validate(const Config& config);

// A parsed `listen` value.
struct HostPort {
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
};
// Parses "host:port" or "[v6]:port"; the error names the value.
Result<HostPort> parse_listen(std::string_view listen);

// Returns true for 127.0.0.0/8, ::1 (bracketed or not) and "localhost" (case-insensitive).
bool is_loopback_host(std::string_view host);

// Resolves a provider name as written in config or on the command line (built-in id or alias,
// custom name, or literal custom:<name>) to its pool key; nullopt when unknown.
std::optional<std::string> resolve_pool_key(const Config& config, std::string_view name);

// Returns the catalogue overlaid with config: a built-in provider as catalogued, or a custom
// provider as ProviderInfo{id = custom:<name>, its wire, its base_url, Bearer (OpenAI wire) or
// x-api-key (Anthropic wire), default_type api_key}. nullopt when unknown.
std::optional<providers::ProviderInfo> lookup_provider(const Config& config, std::string_view name);

// Returns every provider known to this config: the built-ins then the custom providers.
std::vector<providers::ProviderInfo> all_providers(const Config& config);

// Returns the base URL to call (DESIGN.md "Base URL"): the entry's base_url if set and not the
// catalogue default, else config providers.<id>.base_url, else the catalogue's. No trailing '/'.
std::string effective_base_url(const Config& config, const providers::ProviderInfo& provider,
                               std::string_view entry_base_url);

// Returns the cooldown table for a pool: global `cooldowns` overlaid with providers.<id>.cooldowns.
Cooldowns cooldowns_for(const Config& config, std::string_view pool_key);

// Returns the timeouts for a pool: global `timeouts` overlaid with providers.<id>.timeouts.
Timeouts timeouts_for(const Config& config, std::string_view pool_key);

// Returns the strategy config.yaml forces on a pool, if any (it overrides auth.json's).
std::optional<core::Strategy> strategy_override(const Config& config, std::string_view pool_key);

}  // namespace credpool::config
