#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/failure.h"
#include "core/result.h"
#include "core/secret.h"
#include "http/message.h"
#include "providers/catalogue.h"

namespace credpool::gateway {

// The default `anthropic-version` sent when the client gave none (Anthropic API versioning docs).
inline constexpr std::string_view kDefaultAnthropicVersion = "2023-06-01";

// Returns true for a hop-by-hop header (RFC 9110 §7.6.1: Connection, Keep-Alive, TE, Trailer,
// Transfer-Encoding, Upgrade, Proxy-*), compared case-insensitively.
bool is_hop_by_hop(std::string_view name);

// Returns the upstream URL of a client path. OpenAI wire: base_url (ending in /v1) + the path
// after "/v1"; Anthropic wire: base_url (the host) + the whole path. A trailing '/' on base_url
// is ignored; the query string, if any, is kept.
std::string upstream_url(std::string_view base_url, providers::Wire wire, std::string_view path);

// Returns the headers to send upstream: the client's minus hop-by-hop ones (and those named in
// Connection), Host, Authorization, x-api-key, x-credpool-*, Content-Length (the transport sets
// it) and Accept-Encoding (so error bodies arrive readable for the classifier); plus the
// credential in `Authorization: Bearer` or `x-api-key`, and for the Anthropic wire
// `anthropic-version` when the client sent none. This is the one place a secret is revealed.
core::HeaderList upstream_headers(const core::HeaderList& client, providers::Wire wire,
                                  providers::AuthHeader auth, const core::Secret& secret);

// Returns the headers to pass back to the client: the upstream's minus hop-by-hop ones and
// Content-Length (the transport frames the body again).
core::HeaderList client_headers(const core::HeaderList& upstream);

// Returns the body with its top-level "model" replaced, for a route step that changed the model.
// Fails (InvalidArgument) when the body is not a JSON object.
Result<std::string> rewrite_model(std::string_view body, std::string_view model);

// The one header lookup of the gateway is the transport's (case-insensitive, first match).
using http::find_header;

}  // namespace credpool::gateway
