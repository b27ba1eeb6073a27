#include "core/classifier.h"

#include <algorithm>
#include <string>

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

// What one error looks like to the rules, computed once per classification.
struct Subject {
  std::string_view provider;
  unsigned status_bits;
  const HeaderList& headers;
  const ErrorBody& error;
  bool upstream_failure;          // the provider behind an aggregator failed
  std::string upstream_haystack;  // error.upstream_text, lower-cased
};

bool shape_matches(BodyShape shape, const Subject& s) {
  switch (shape) {
    case BodyShape::Any:
      return true;
    case BodyShape::Html:
      return s.error.is_html;
    case BodyShape::UpstreamFailure:
      return s.upstream_failure;
  }
  return false;
}

bool code_matches(const ClassifierRule& rule, const ErrorBody& error) {
  const auto one = [&error](std::string_view code) {
    return text::iequals(code, error.code) || text::iequals(code, error.type);
  };
  if (!rule.code.empty() && !one(rule.code)) return false;
  if (!rule.any_code.empty() && std::none_of(rule.any_code.begin(), rule.any_code.end(), one)) {
    return false;
  }
  return true;
}

bool phrase_matches(const ClassifierRule& rule, const Subject& s) {
  if (rule.phrase.empty()) return true;
  if (s.error.haystack.find(rule.phrase) != std::string::npos) return true;
  return rule.upstream_text_too && s.upstream_haystack.find(rule.phrase) != std::string::npos;
}

bool rule_matches(const ClassifierRule& rule, const Subject& s) {
  if (!rule.provider.empty() && !text::iequals(rule.provider, s.provider)) return false;
  if ((rule.statuses & s.status_bits) == 0) return false;
  if (!code_matches(rule, s.error) || !phrase_matches(rule, s)) return false;
  if (!rule.header.empty()) {
    const auto value = text::find_header(s.headers, rule.header);
    if (!value || !text::icontains(*value, rule.header_value)) return false;
  }
  return shape_matches(rule.shape, s);
}

// A soft failure (2xx) that carries a numeric error code (OpenRouter, Google) is judged by that
// code, as the HTTP status it would have had.
int effective_status(int status, const ErrorBody& error) {
  const bool soft = status >= 200 && status < 300;
  if (soft && error.numeric_code >= 300 && error.numeric_code < 600) return error.numeric_code;
  return status;
}

// An error the provider behind an aggregator made never blames the aggregator's key: whatever
// a rule read into it, a limit becomes the upstream's and a credential error a server error.
FailureReason relayed(FailureReason reason) {
  switch (reason) {
    case FailureReason::RateLimit:
    case FailureReason::Quota:
      return FailureReason::UpstreamRateLimit;
    case FailureReason::Auth:
    case FailureReason::Forbidden:
      return FailureReason::Server;
    case FailureReason::UpstreamRateLimit:
    case FailureReason::UpstreamBlocked:
    case FailureReason::Overloaded:
    case FailureReason::Server:
    case FailureReason::Timeout:
    case FailureReason::ContextOverflow:
    case FailureReason::ContentPolicy:
    case FailureReason::BadRequest:
    case FailureReason::Unknown:
      return reason;
  }
  return reason;
}

// The message names the upstream and quotes it: "Provider returned error" alone tells an
// operator nothing.
std::string message_of(const ErrorBody& error) {
  if (error.upstream_provider.empty() && error.upstream_text.empty()) return error.message;
  std::string out = error.message;
  out += " (";
  out += error.upstream_provider.empty() ? "upstream" : error.upstream_provider;
  if (!error.upstream_text.empty()) out += ": " + error.upstream_text;
  out += ")";
  return out;
}

}  // namespace

Failure classify_error(std::string_view provider, int status, const HeaderList& headers,
                       const ErrorBody& error, WallTime now) {
  const int judged = effective_status(status, error);
  const bool soft = status >= 200 && status < 300;  // the model had started answering
  const Subject subject{
      .provider = provider,
      .status_bits = status_class(judged),
      .headers = headers,
      .error = error,
      .upstream_failure = error.upstream_failure || (soft && is_aggregator(provider)),
      .upstream_haystack = text::to_lower(error.upstream_text),
  };
  Failure f;
  f.status_code = status;
  f.error_code = shorten_message(error.code.empty() ? error.type : error.code, kCodeLimit);
  f.message = shorten_message(message_of(error), kMessageLimit);
  f.reason = reason_for_status(judged);
  for (const ClassifierRule& rule : classifier_rules()) {
    if (rule_matches(rule, subject)) {
      f.reason = rule.reason;
      f.terminal = rule.terminal;
      break;
    }
  }
  if (subject.upstream_failure) {
    f.reason = relayed(f.reason);
    f.terminal = false;
  }
  f.model_scoped = f.reason == FailureReason::RateLimit && rate_limits_per_model(provider);
  // The haystack holds the provider's own message, lower-cased (the message grammars ignore
  // case); an aggregator's upstream text is not read: its waits are the upstream's.
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
