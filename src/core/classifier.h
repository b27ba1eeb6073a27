#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/error_body.h"
#include "core/failure.h"

namespace credpool::core {

// Decides what one upstream response means for the credential that made it. Returns nullopt for
// a success: a 2xx that is not a soft failure (a 2xx body is inspected as by
// inspect_response_start, as an event stream when Content-Type says text/event-stream).
// Otherwise returns a Failure with every field set: reason (classifier_rules.h, then the status),
// status_code, error_code (the provider's code or type), message (at most 300 bytes), resets_at
// and retry_after (reset_hints.h), terminal and model_scoped. `provider` is the pool key of the
// attempt ("openai", "anthropic", "custom:lab"). `body` is the response body or its start; it
// may be anything. Pure and thread-safe; never throws.
std::optional<Failure> classify(std::string_view provider, int status, const HeaderList& headers,
                                std::string_view body, WallTime now);

// Classifies an error already read from a body; `status` 200 means a soft failure. Used by
// classify and by the soft-failure inspector. Always returns a Failure.
Failure classify_error(std::string_view provider, int status, const HeaderList& headers,
                       const ErrorBody& error, WallTime now);

// Returns the Failure for an upstream that did not answer in time (connect, first byte or idle
// deadline): reason timeout, status 0, code "upstream_timeout".
Failure timeout_failure();

// Returns the Failure for an upstream that could not be reached or broke the connection: reason
// server (transient, never cools a credential), status 0, code "upstream_unreachable".
// `detail` ("connection refused") becomes the message; it must not contain a secret.
Failure transport_failure(std::string_view detail);

}  // namespace credpool::core
