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

    // A WAF or CDN page is not the key's fault (reference §3.5, Hermes #53099, #70566).
    {.statuses = kForbidden, .header = "cf-mitigated", .reason = R::UpstreamBlocked},
    {.statuses = kForbidden,
     .phrase = "cf-ray",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kForbidden,
     .phrase = "just a moment",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kForbidden,
     .phrase = "attention required",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kForbidden,
     .header = "server",
     .header_value = "cloudflare",
     .shape = BodyShape::Html,
     .reason = R::UpstreamBlocked},
    {.statuses = kForbidden, .code = "upstream_unavailable", .reason = R::Overloaded},

    // Spent quota, by code (OpenAI insufficient_quota arrives as a 429; Codex usage limits).
    {.statuses = kQuotaStatuses, .code = "insufficient_quota", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .code = "usage_limit_reached", .reason = R::Quota},
    {.statuses = kQuotaStatuses, .code = "billing_hard_limit_reached", .reason = R::Quota},
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

    // An aggregator's upstream is limited, not our key (reference §3.3). Any provider: a custom
    // endpoint may be OpenRouter under another name, and the shape is OpenRouter's own.
    {.statuses = kTooMany, .phrase = "provider returned error", .reason = R::UpstreamRateLimit},
    {.statuses = kTooMany, .shape = BodyShape::UpstreamMetadata, .reason = R::UpstreamRateLimit},

    // Z.AI/Zhipu and others send overload as a 429 (Hermes #14038): do not cool the key.
    {.statuses = kTooMany | kSoft, .phrase = "overloaded", .reason = R::Overloaded},
    {.statuses = kTooMany | kSoft, .phrase = "at capacity", .reason = R::Overloaded},
    {.statuses = kTooMany | kSoft, .phrase = "over capacity", .reason = R::Overloaded},
    {.code = "overloaded_error", .reason = R::Overloaded},  // Anthropic, as 529 or in a stream

    // The request is too long for the model.
    {.statuses = kRequestFaultStatuses,
     .code = "context_length_exceeded",
     .reason = R::ContextOverflow},
    {.statuses = kRequestFaultStatuses,
     .phrase = "context_length_exceeded",
     .reason = R::ContextOverflow},
    {.statuses = kRequestFaultStatuses,
     .phrase = "maximum context length",
     .reason = R::ContextOverflow},
    {.statuses = kRequestFaultStatuses,
     .phrase = "prompt is too long",
     .reason = R::ContextOverflow},  // Anthropic
    {.statuses = kRequestFaultStatuses,
     .phrase = "exceeds the context window",
     .reason = R::ContextOverflow},

    // The request breaks a content policy (DESIGN "Pinned details").
    {.statuses = kRequestFaultStatuses,
     .code = "content_policy_violation",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses, .code = "content_filter", .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .code = "invalid_prompt",
     .phrase = "usage policy",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .phrase = "flagged as potentially violating",
     .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses,
     .phrase = "content filtering policy",
     .reason = R::ContentPolicy},  // Anthropic: "Output blocked by content filtering policy"
    {.statuses = kRequestFaultStatuses,
     .phrase = "content management policy",
     .reason = R::ContentPolicy},  // Azure OpenAI
    {.statuses = kRequestFaultStatuses, .phrase = "was flagged", .reason = R::ContentPolicy},
    {.statuses = kRequestFaultStatuses, .phrase = "been flagged", .reason = R::ContentPolicy},

    // A soft failure has no status to go by; its code says what the HTTP status would have.
    {.statuses = kSoft, .code = "server_error", .reason = R::Server},
    {.statuses = kSoft, .code = "api_error", .reason = R::Server},
    {.statuses = kSoft, .code = "internal_error", .reason = R::Server},
    {.statuses = kSoft, .code = "timeout", .reason = R::Timeout},
    {.statuses = kSoft, .code = "authentication_error", .reason = R::Auth},
    {.statuses = kSoft, .code = "invalid_api_key", .reason = R::Auth},
    {.statuses = kSoft, .code = "permission_error", .reason = R::Forbidden},
    {.statuses = kSoft, .code = "invalid_request_error", .reason = R::BadRequest},
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
    case 408:  // Request Timeout
    case 504:  // Gateway Timeout
      return R::Timeout;
    case 429:
      return R::RateLimit;
    case 503:  // Service Unavailable
    case 529:  // Anthropic "overloaded"
      return R::Overloaded;
    default:
      break;
  }
  if (status >= 400 && status < 500) return R::BadRequest;  // 400, 404, 413, 422, ...
  if (status >= 500 && status < 600) return R::Server;
  return R::Unknown;
}

bool rate_limits_per_model(std::string_view provider) { return provider == "anthropic"; }

}  // namespace credpool::core
