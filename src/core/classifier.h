#pragma once

#include <optional>
#include <string_view>

#include "core/clock.h"
#include "core/error_body.h"
#include "core/failure.h"

namespace credpool::core {

// Decides what one upstream response means for the credential that made it. Returns nullopt
// only for a success: a 2xx that is not a soft failure (a 2xx body is inspected as by
// inspect_response_start, as an event stream when Content-Type says text/event-stream). Every
// other status gives a Failure, whose reason says whose fault it is; the recovery table alone
// decides whether that marks the key:
// - 3xx: bad_request, status kept. A redirect is the client's business and never the key's.
// - 4xx other than 401/402/403/429: bad_request, unless a rule names a more specific request
//   fault (context_overflow, content_policy) or a provider's credential error (Google's 400
//   API_KEY_INVALID is auth).
// - A WAF/CDN page (HTML on a 403/429, a challenge on any error status): upstream_blocked.
// - An aggregator's report that the provider behind it failed (OpenRouter "Provider returned
//   error", error.metadata.raw / provider_name; any soft failure of an aggregator): never the
//   aggregator key's rate_limit, quota, auth or forbidden; its 429 is upstream_rate_limit.
//   metadata.raw is read for request faults only (context_overflow, content_policy).
// - unknown only when no rule and no status class says anything: a 1xx, a 2xx soft failure
//   with an unknown code, a status out of range.
// The Failure has every field set: reason (classifier_rules.h, then the status), status_code,
// error_code (the provider's code or type), message (at most 300 bytes; for an aggregator,
// followed by the upstream's name and text), resets_at and retry_after (reset_hints.h; resets_at
// may be at or before `now` when the provider's only reset has passed), terminal and
// model_scoped. `provider` is the pool key of the attempt ("openai", "anthropic",
// "custom:lab"). `body` is the response body or its start; it may be anything. Pure and
// thread-safe; never throws.
std::optional<Failure> classify(std::string_view provider, int status, const HeaderList& headers,
                                std::string_view body, WallTime now);

// Classifies an error already read from a body; a 2xx `status` means a soft failure, judged by
// the error's numeric code when it has one (OpenRouter, Google) and else by its code or type.
// Used by classify and by the soft-failure inspector. Always returns a Failure; status_code is
// `status` as given.
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
