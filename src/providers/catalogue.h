#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/credential.h"

namespace credpool::providers {

// How requests and errors are shaped on the wire: OpenAI (base_url ends in /v1; the path after
// /v1 is appended) or Anthropic (base_url is the host; the whole path is appended).
enum class Wire { OpenAI, Anthropic };
// Which header carries the credential: `Authorization: Bearer <key>` or `x-api-key: <key>`.
enum class AuthHeader { Bearer, XApiKey };

// Returns the config name of a wire ("openai" | "anthropic").
std::string_view to_string(Wire wire);
// Parses a wire name, trimmed and case-insensitive; nullopt when unknown.
std::optional<Wire> parse_wire(std::string_view text);
// Returns the header kind's name ("bearer" | "x-api-key").
std::string_view to_string(AuthHeader auth);
std::ostream& operator<<(std::ostream& os, Wire wire);
std::ostream& operator<<(std::ostream& os, AuthHeader auth);

// One upstream API: the row of DESIGN.md's "Built-in providers" table, or a custom endpoint from
// config.yaml (then `id` is its pool key `custom:<name>` and env_vars is empty).
struct ProviderInfo {
  std::string id;                    // pool key: "openai", "custom:lab"
  std::vector<std::string> aliases;  // lower-case, e.g. {"claude"}
  Wire wire = Wire::OpenAI;
  std::string base_url;  // no trailing slash
  AuthHeader auth = AuthHeader::Bearer;
  std::vector<std::string> env_vars;  // seeded with numbered siblings VAR_2, VAR_3, ...
  core::AuthType default_type = core::AuthType::ApiKey;
  bool responses_api = false;  // speaks only the Responses API (openai-codex)
};

// Returns the built-in catalogue, in DESIGN.md's table order. The reference lives for the whole
// program; thread-safe (immutable).
std::span<const ProviderInfo> builtin_providers();

// Finds a built-in provider by id or alias, trimmed and case-insensitive ("Claude" -> anthropic).
// Returns nullptr when unknown; custom providers are not here (see config::lookup_provider).
const ProviderInfo* find_provider(std::string_view name_or_alias);

// Returns the canonical pool key for a provider argument: a built-in id for an id or alias, a
// literal "custom:..." lower-cased, else the trimmed lower-cased input (which the caller may still
// have to reject or resolve against config's custom providers).
std::string normalize_provider(std::string_view name);

// Returns the pool key of a custom endpoint: "custom:" + the name trimmed, lower-cased, spaces
// replaced by '-' ("Together.ai" -> "custom:together.ai"). When the argument is a URL (contains
// "://"), the name is its host without port ("http://127.0.0.1:9001/v1" -> "custom:127.0.0.1").
std::string custom_pool_key(std::string_view name_or_url);

// Returns the built-in id or alias (or one of `extra`, e.g. config's custom names) closest to an
// unknown name (edit distance at most 2, or a prefix of at least 3 characters), for "did you
// mean ...?" messages; nullopt when nothing is close.
std::optional<std::string> suggest_provider(std::string_view name,
                                            std::span<const std::string> extra = {});

}  // namespace credpool::providers
