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
  HeadersTooLarge,       // 431: request head over limits.max_header_bytes
  RequestTimeout,        // 408: no complete request head within limits.header_timeout
  Overloaded,            // 503: over limits.max_connections (the caller adds `Retry-After: 1`)
};

// Returns the HTTP status of an error kind.
int status_of(GatewayError error);
// Returns the stable code of an error kind ("credentials_exhausted", ...).
std::string_view code_of(GatewayError error);

// Returns the OpenAI `error.type` of an error kind: by status, as DESIGN.md pins it (400, 413 and
// other 4xx `invalid_request_error`, 401 `authentication_error`, 429 `rate_limit_error`, 5xx
// `api_error`).
std::string_view openai_type_of(GatewayError error);
// Returns the Anthropic `error.type`: the OpenAI mapping, except 503 `overloaded_error` and 404
// `not_found_error` (Anthropic's documented types).
std::string_view anthropic_type_of(GatewayError error);

// One complete response credpool writes by itself.
struct ErrorResponse {
  int status = 500;
  core::HeaderList headers;  // content-type, x-credpool-error, plus retry-after when given
  std::string body;
};

// Builds credpool's own error in the client's wire: OpenAI
// `{"error":{"message","type","code"}}` or Anthropic `{"type":"error","error":{"type","message"}}`,
// whose message starts with the code ("credentials_missing: no credentials for ...") since
// Anthropic SDKs show only type and message (the body also carries "code"). Both carry the code
// in an `x-credpool-error` header. `retry_after` becomes a `Retry-After` header of whole seconds,
// at least 1. `message` must not contain a secret.
ErrorResponse make_error(providers::Wire wire, GatewayError error, std::string_view message,
                         std::optional<std::chrono::seconds> retry_after = std::nullopt);

}  // namespace credpool::gateway
