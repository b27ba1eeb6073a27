#include "core/classifier.h"

#include "core/classifier_rules.h"
#include "core/reset_hints.h"
#include "core/soft_failure.h"
#include "core/text_match.h"

namespace credpool::core {

namespace {

// Failure::message holds the provider's text up to this many bytes (DESIGN "Journal": 300).
constexpr std::size_t kMessageLimit = 300;
// A provider code is an identifier; anything longer is not one we would match or show.
constexpr std::size_t kCodeLimit = 100;

bool shape_matches(BodyShape shape, const ErrorBody& error) {
  switch (shape) {
    case BodyShape::Any:
      return true;
    case BodyShape::Html:
      return error.is_html;
    case BodyShape::UpstreamMetadata:
      return error.has_upstream_metadata;
  }
  return false;
}

bool rule_matches(const ClassifierRule& rule, std::string_view provider, unsigned status_bits,
                  const HeaderList& headers, const ErrorBody& error) {
  if (!rule.provider.empty() && !text::iequals(rule.provider, provider)) return false;
  if ((rule.statuses & status_bits) == 0) return false;
  if (!rule.code.empty() && !text::iequals(rule.code, error.code) &&
      !text::iequals(rule.code, error.type)) {
    return false;
  }
  if (!rule.phrase.empty() && error.haystack.find(rule.phrase) == std::string::npos) return false;
  if (!rule.header.empty()) {
    const auto value = text::find_header(headers, rule.header);
    if (!value || !text::icontains(*value, rule.header_value)) return false;
  }
  return shape_matches(rule.shape, error);
}

}  // namespace

Failure classify_error(std::string_view provider, int status, const HeaderList& headers,
                       const ErrorBody& error, WallTime now) {
  Failure f;
  f.status_code = status;
  f.error_code = shorten_message(error.code.empty() ? error.type : error.code, kCodeLimit);
  f.message = shorten_message(error.message, kMessageLimit);
  f.reason = reason_for_status(status);
  const unsigned bits = status_class(status);
  for (const ClassifierRule& rule : classifier_rules()) {
    if (rule_matches(rule, provider, bits, headers, error)) {
      f.reason = rule.reason;
      f.terminal = rule.terminal;
      break;
    }
  }
  f.model_scoped = f.reason == FailureReason::RateLimit && rate_limits_per_model(provider);
  // The haystack holds the message and an aggregator's upstream text, lower-cased; the message
  // grammars ignore case.
  const ResetHints hints = parse_reset_hints(headers, error.json, error.haystack, now);
  f.resets_at = hints.resets_at;
  f.retry_after = hints.retry_after;
  return f;
}

std::optional<Failure> classify(std::string_view provider, int status, const HeaderList& headers,
                                std::string_view body, WallTime now) {
  if (status >= 200 && status < 300) {
    const auto content_type = text::find_header(headers, "content-type");
    const bool stream = content_type && text::icontains(*content_type, "text/event-stream");
    // Only the start is inspected, as the gateway holds back only that much of a response.
    const bool whole = body.size() <= kSoftFailureHoldBack;
    SoftFailureVerdict v = inspect_response_start(
        provider, stream, body.substr(0, kSoftFailureHoldBack), /*complete=*/whole, now);
    if (v.verdict != StartVerdict::Failed || !v.failure) return std::nullopt;
    v.failure->status_code = status;
    return v.failure;
  }
  return classify_error(provider, status, headers, read_error_body(body), now);
}

Failure timeout_failure() {
  Failure f;
  f.reason = FailureReason::Timeout;
  f.error_code = "upstream_timeout";
  f.message = "upstream did not answer in time";
  return f;
}

Failure transport_failure(std::string_view detail) {
  Failure f;
  f.reason = FailureReason::Server;
  f.error_code = "upstream_unreachable";
  f.message = shorten_message(detail, kMessageLimit);
  return f;
}

}  // namespace credpool::core
