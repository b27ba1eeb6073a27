#include "core/classifier_rules.h"

#include <array>

namespace credpool::core {

namespace {

using R = FailureReason;

// Where a "your quota is spent" message is believed. Anthropic sends a low credit balance as a
// 400, OpenRouter a key limit as a 403, OpenAI insufficient_quota as a 429. Not 401: a bad key
// is auth even when the text mentions billing.
constexpr unsigned kQuotaStatuses = kSoft | kBadRequest | kPayment | kForbidden | kTooMany;
// Where a context-overflow or content-policy text is believed: the request is at fault. Hermes
// also reads overflow from 5xx bodies (reference §3.5).
constexpr unsigned kRequestFaultStatuses = kSoft | kBadRequest | kOther4xx | kServerError;
// Where a WAF/CDN challenge or block page may stand in for the provider's answer.
constexpr unsigned kErrorStatuses = kAnyStatus & ~(kSoft | kOtherStatus);
// Where any HTML page at all is a WAF/CDN answer: a provider says 403 and 429 in JSON.
constexpr unsigned kHtmlMeansBlocked = kForbidden | kTooMany;
// The aggregator's own credential errors; relayed from the provider behind it, they are not.
constexpr unsigned kCredentialStatuses = kUnauthorized | kPayment | kForbidden;

// A soft failure (HTTP 200) names its fault by code alone. These blame the request: the OpenAI
// Responses error codes for a bad prompt or image (openai-python
// src/openai/types/responses/response_error.py), Anthropic's stream error types, and the common
// OpenAI parameter codes.
constexpr auto kRequestFaultCodes = std::to_array<std::string_view>({
    "invalid_request_error",  // OpenAI and Anthropic type
    "invalid_prompt",
    "invalid_image",
    "invalid_image_format",
    "invalid_base64_image",
    "invalid_image_url",
    "image_too_large",
    "image_too_small",
    "image_parse_error",
    "invalid_image_mode",
    "image_file_too_large",
    "unsupported_image_media_type",
    "empty_image_file",
    "failed_to_download_image",
    "image_file_not_found",
    "not_found_error",    // Anthropic
    "request_too_large",  // Anthropic
    "model_not_found",
    "invalid_value",
    "unsupported_value",
    "unsupported_parameter",
    "missing_required_parameter",
    "invalid_argument",  // Google INVALID_ARGUMENT
    "bad_request",
});
// Soft failures that say the provider, not the request or the key, failed.
constexpr auto kServerCodes = std::to_array<std::string_view>(
    {"server_error", "api_error", "internal_error", "internal", "vector_store_timeout"});

constexpr std::array kRules = std::to_array<ClassifierRule>({
    // Terminal 401 codes: the token is gone for good, refreshing or waiting will not help
    // (reference §2.6, Hermes #32849).
    {.statuses = kUnauthorized, .code = "token_invalidated", .reason = R::Auth, .terminal = true},
    {.statuses = kUnauthorized, .code = "token_revoked", .reason = R::Auth, .terminal = true},
    {.statuses = kUnauthorized, .code = "invalid_token", .reason = R::Auth, .terminal = true},
    {.statuses = kUnauthorized, .code = "invalid_grant", .reason = R::Auth, .terminal = true},
    {.statuses = kUnauthorized, .code = "unauthorized_client", .reason = R::Auth, .terminal = true},
    {.statuses = kUnauthorized,
     .code = "refresh_token_reused",
     .reason = R::Auth,
     .terminal = true},

    // A WAF or CDN page is not the key's fault (reference §3.5, Hermes #53099, #70566):
    // challenge and block markers on any error status, and any HTML page at all on a 403 or 429.
    // A CDN's plain 5xx page (a cf-ray on a 502) stays a server error: retrying may help.
    {.statuses = kErrorStatuses, .header = "cf-mitigated", .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses, .header = "x-amzn-waf-action", .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses,
     .phrase = "just a moment",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses,
     .phrase = "attention required",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses,
     .phrase = "you have been blocked",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses,
     .phrase = "_cf_chl",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kErrorStatuses,
     .phrase = "access denied",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},  // Akamai, Cloudflare 1020
    {.statuses = kErrorStatuses,
     .phrase = "request blocked",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},  // CloudFront
    {.statuses = kHtmlMeansBlocked, .shape = BodyShape::Html, .reason = R::UpstreamBlocked},
    {.statuses = kForbidden, .code = "upstream_unavailable", .reason = R::Overloaded},

    // The provider behind an aggregator failed (reference §3.3). Tried before any quota or
    // rate-limit rule: OpenRouter's "Provider returned error" quotes the upstream's own words in
    // metadata.raw ("You exceeded your current quota"), which speak of the upstream's key.
    // Only the aggregator's own 401/402/403/429 mark its key (DESIGN.md "Recovery policy").
    {.statuses = kForbidden,
     .phrase = "flagged",
     .shape = BodyShape::UpstreamFailure,
     .reason = R::ContentPolicy,
     .upstream_text_too = true},  // OpenRouter moderation: metadata {reasons, provider_name}
    {.statuses = kTooMany, .shape = BodyShape::UpstreamFailure, .reason = R::UpstreamRateLimit},
    {.statuses = kCredentialStatuses, .shape = BodyShape::UpstreamFailure, .reason = R::Server},

    // Credential errors a provider sends as a 400 (Google: ErrorInfo reason API_KEY_INVALID,
    // "API key not valid. Please pass a valid API key.").
    {.statuses = kBadRequest | kSoft, .phrase = "api_key_invalid", .reason = R::Auth},
    {.statuses = kBadRequest | kSoft, .phrase = "api key not valid", .reason = R::Auth},
    {.statuses = kBadRequest | kSoft, .phrase = "api key expired", .reason = R::Auth},

    // Spent quota, by code (OpenAI insufficient_quota arrives as a 429; Codex usage limits;
    // Anthropic billing_error is its 402).
    {.statuses = kQuotaStatuses, .code = "insufficient_quota", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .code = "usage_limit_reached", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .code = "billing_hard_limit_reached", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .code = "billing_error", .reason = R::Quota},
    // A rate-limit code beats wording: OpenAI's free-tier rate-limit text links to
    // platform.openai.com/account/billing, which the "billing" phrase below would take for quota.
    {.statuses = kTooMany | kSoft, .code = "rate_limit_exceeded", .reason = R::RateLimit},
    {.statuses = kTooMany | kSoft, .code = "rate_limit_error", .reason = R::RateLimit},
    // Gemini's free tier says "exceeded your current quota" for per-minute limits too; the
    // QuotaFailure's quotaId tells them apart, and a per-minute limit is a rate limit.
    {.provider = "gemini", .statuses = kTooMany, .phrase = "perminute", .reason = R::RateLimit},
    // Spent quota, by wording.
    {.statuses = kQuotaStatuses, .phrase = "exceeded your current quota", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .phrase = "credit balance is too low", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .phrase = "key limit exceeded", .reason = R::Quota},  // OpenRouter
    {.statuses = kQuotaStatuses, .phrase = "usage limit reached", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .phrase = "usage limit has been reached", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .phrase = "spending limit", .reason = R::Quota},        // xAI
    {.statuses = kQuotaStatuses, .phrase = "insufficient balance", .reason = R::Quota},  // DeepSeek
    {.statuses = kQuotaStatuses, .phrase = "billing", .reason = R::Quota},

    // Z.AI/Zhipu and others send overload as a 429 (Hermes #14038): do not cool the key.
    {.statuses = kTooMany | kSoft, .phrase = "overloaded", .reason = R::Overloaded},
    {.statuses = kTooMany | kSoft, .phrase = "at capacity", .reason = R::Overloaded},
    {.statuses = kTooMany | kSoft, .phrase = "over capacity", .reason = R::Overloaded},
    {.code = "overloaded_error", .reason = R::Overloaded},  // Anthropic, as 529 or in a stream

    // The request is too long for the model. An aggregator's upstream may say so too.
    {.statuses = kRequestFaultStatuses,
     .code = "context_length_exceeded",
     .reason = R::ContextOverflow},
    {.statuses = kRequestFaultStatuses,
     .phrase = "context_length_exceeded",
     .reason = R::ContextOverflow,
     .upstream_text_too = true},
    {.statuses = kRequestFaultStatuses,
     .phrase = "maximum context length",
     .reason = R::ContextOverflow,
     .upstream_text_too = true},
    {.statuses = kRequestFaultStatuses,
     .phrase = "prompt is too long",
     .reason = R::ContextOverflow,
     .upstream_text_too = true},  // Anthropic
    {.statuses = kRequestFaultStatuses,
     .phrase = "exceeds the context window",
     .reason = R::ContextOverflow,
     .upstream_text_too = true},

    // The request breaks a content policy (DESIGN "Pinned details").
    {.statuses = kRequestFaultStatuses,
     .code = "content_policy_violation",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .code = "image_content_policy_violation",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses, .code = "content_filter", .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .code = "invalid_prompt",
     .phrase = "usage policy",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .phrase = "flagged as potentially violating",
     .reason = R::ContentPolicy,
     .upstream_text_too = true},
    {.statuses = kRequestFaultStatuses,
     .phrase = "content filtering policy",
     .reason = R::ContentPolicy,
     .upstream_text_too = true},  // Anthropic: "Output blocked by content filtering policy"
    {.statuses = kRequestFaultStatuses,
     .phrase = "content management policy",
     .reason = R::ContentPolicy,
     .upstream_text_too = true},  // Azure OpenAI
    {.statuses = kRequestFaultStatuses,
     .phrase = "was flagged",
     .reason = R::ContentPolicy,
     .upstream_text_too = true},
    {.statuses = kRequestFaultStatuses,
     .phrase = "been flagged",
     .reason = R::ContentPolicy,
     .upstream_text_too = true},

    // A soft failure has no status to go by; its code says what the HTTP status would have.
    {.statuses = kSoft, .any_code = kServerCodes, .reason = R::Server},
    {.statuses = kSoft, .code = "timeout", .reason = R::Timeout},
    {.statuses = kSoft, .code = "authentication_error", .reason = R::Auth},
    {.statuses = kSoft, .code = "invalid_api_key", .reason = R::Auth},
    {.statuses = kSoft, .code = "permission_error", .reason = R::Forbidden},
    {.statuses = kSoft, .any_code = kRequestFaultCodes, .reason = R::BadRequest},
});

}  // namespace

unsigned status_class(int status) {
  if (status >= 200 && status < 300) return kSoft;
  switch (status) {
    case 400:
      return kBadRequest;
    case 401:
      return kUnauthorized;
    case 402:
      return kPayment;
    case 403:
      return kForbidden;
    case 429:
      return kTooMany;
    default:
      break;
  }
  if (status >= 400 && status < 500) return kOther4xx;
  if (status >= 500 && status < 600) return kServerError;
  return kOtherStatus;
}

std::span<const ClassifierRule> classifier_rules() { return kRules; }

FailureReason reason_for_status(int status) {
  switch (status) {
    case 401:
      return R::Auth;
    case 402:
      return R::Quota;
    case 403:
      return R::Forbidden;
    case 429:
      return R::RateLimit;
    case 503:  // Service Unavailable
    case 529:  // Anthropic "overloaded"
      return R::Overloaded;
    case 504:  // Gateway Timeout: the upstream may still be working on the request
      return R::Timeout;
    default:
      break;
  }
  // 3xx: a redirect is for the client to follow or not; 4xx (400, 404, 408, 413, 422, ...): the
  // request is at fault. Neither is the key's (DESIGN.md "Recovery policy").
  if (status >= 300 && status < 500) return R::BadRequest;
  if (status >= 500 && status < 600) return R::Server;
  return R::Unknown;  // a 1xx, a 2xx soft failure no rule recognised, a status out of range
}

bool rate_limits_per_model(std::string_view provider) { return provider == "anthropic"; }

bool is_aggregator(std::string_view provider) { return provider == "openrouter"; }

}  // namespace credpool::core
