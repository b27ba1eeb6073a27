#pragma once

#include <span>
#include <string_view>

#include "core/failure_reason.h"

// The classifier's knowledge as data: which status, code, phrase or header means which reason.
// A new provider quirk is a new row, not a new branch in classifier.cc.
namespace credpool::core {

// Which responses a rule applies to, as bits (a rule may name several).
enum StatusClass : unsigned {
  kSoft = 1U << 0,          // HTTP 2xx whose body says it failed
  kBadRequest = 1U << 1,    // 400
  kUnauthorized = 1U << 2,  // 401
  kPayment = 1U << 3,       // 402
  kForbidden = 1U << 4,     // 403
  kTooMany = 1U << 5,       // 429
  kOther4xx = 1U << 6,      // any other 4xx
  kServerError = 1U << 7,   // 5xx
  kOtherStatus = 1U << 8,   // 1xx, 3xx, anything else
  kAnyStatus = 0x1FF,
};

// Returns the class bit of an HTTP status.
unsigned status_class(int status);

// What else a rule needs to see in the body.
enum class BodyShape {
  Any,
  Html,             // an HTML page, not an API error
  UpstreamFailure,  // an aggregator reports that the provider behind it failed (OpenRouter)
};

// One row: every non-empty condition must hold. Rules are tried in order; the first match wins.
struct ClassifierRule {
  std::string_view provider = {};  // pool key ("anthropic"); empty: any provider
  unsigned statuses = kAnyStatus;
  std::string_view code = {};  // equals the error's code or type, ignoring case
  std::span<const std::string_view> any_code = {};  // ... or one of these (when non-empty)
  std::string_view phrase = {};        // lower-case; found in the message (or text body)
  std::string_view header = {};        // present in the response (any case)
  std::string_view header_value = {};  // ... and its value contains this, ignoring case
  BodyShape shape = BodyShape::Any;
  FailureReason reason = FailureReason::Unknown;
  bool terminal = false;  // the credential is dead, not cooling (reference §2.6)
  // The phrase may also be found in an aggregator's upstream text (metadata.raw). Only rules
  // whose reason blames the request set it: the upstream's words never blame our key.
  bool upstream_text_too = false;
};

// Returns the rules in the order they are tried.
std::span<const ClassifierRule> classifier_rules();

// Returns the reason an HTTP status means when no rule matched: 401 auth, 402 quota, 403
// forbidden, 429 rate_limit, 503/529 overloaded, 504 timeout, other 5xx server; every other 4xx
// and every 3xx bad_request (the request's or the client's business, never the key's); anything
// else, a 2xx soft failure included, unknown.
FailureReason reason_for_status(int status);

// True when the provider is an aggregator that routes each request to a provider behind it
// (OpenRouter): a soft failure it relays (the model had started) is that provider's, not the
// key's. Errors in the aggregator shape (BodyShape::UpstreamFailure) are recognised from any
// provider, since a custom endpoint may be an aggregator under another name.
bool is_aggregator(std::string_view provider);

// True when the provider's rate limits are per model, so a 429 cools only the model
// (Anthropic, reference §2.5).
bool rate_limits_per_model(std::string_view provider);

}  // namespace credpool::core
