#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/failure.h"
#include "providers/catalogue.h"

namespace credpool::gateway {

// The errors credpool itself answers with (DESIGN.md "Pinned details / Gateway"), as opposed to
// an upstream's errors, which are passed through unchanged.
enum class GatewayError {
  InvalidClientKey,      // 401: bad or missing client key
  RequestTooLarge,       // 413: body over limits.max_body_bytes
  InvalidRequest,        // 400: bad JSON or a request credpool cannot route
  CredentialsExhausted,  // 429: no usable credential on any route step
  CredentialsMissing,    // 503: no credential configured for the routed provider(s)
  UpstreamUnreachable,   // 502
  UpstreamTimeout,       // 504
  NotFound,              // 404: unknown path
  MethodNotAllowed,      // 405: a known path with another method (the caller adds `Allow`)
};

// Returns the HTTP status of an error kind.
int status_of(GatewayError error);
// Returns the stable code of an error kind ("credentials_exhausted", ...).
std::string_view code_of(GatewayError error);

// One complete response credpool writes by itself.
struct ErrorResponse {
  int status = 500;
  core::HeaderList headers;  // content-type, plus retry-after for 429
  std::string body;
};

// Builds credpool's own error in the client's wire: OpenAI
// `{"error":{"message","type","code"}}` or Anthropic `{"type":"error","error":{"type","message"}}`
// (the Anthropic body also carries "code", which SDKs ignore). `retry_after` becomes a
// `Retry-After` header of whole seconds, at least 1. `message` must not contain a secret.
ErrorResponse make_error(providers::Wire wire, GatewayError error, std::string_view message,
                         std::optional<std::chrono::seconds> retry_after = std::nullopt);

}  // namespace credpool::gateway
