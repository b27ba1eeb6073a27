#include "core/classifier.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace credpool::core {
namespace {

using R = FailureReason;

// 2025-05-01T12:00:00Z.
const WallTime kNoon = from_epoch(1'746'100'800);
const HeaderList kJson = {{"content-type", "application/json"}};

struct ClassifyCase {
  std::string name;
  std::string provider;
  int status;
  HeaderList headers;
  std::string body;
  R reason;
  std::string error_code;
  bool terminal = false;
  bool model_scoped = false;
};

const std::vector<ClassifyCase>& classify_cases() {
  static const std::vector<ClassifyCase> cases = {
      {"OpenAiRateLimit", "openai", 429, kJson,
       R"({"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per )"
       R"(min (TPM): Limit 30000, Used 30000. Please try again in 20ms.","type":"tokens",)"
       R"("param":null,"code":"rate_limit_exceeded"}})",
       R::RateLimit, "rate_limit_exceeded"},
      {"OpenAiRateLimitLinkingToBillingIsStillRateLimit", "openai", 429, kJson,
       R"({"error":{"message":"Rate limit reached for gpt-4o-mini on requests per day (RPD): )"
       R"(Limit 200. You can increase your rate limit by adding a payment method to your )"
       R"(account at https://platform.openai.com/account/billing.","type":"requests",)"
       R"("code":"rate_limit_exceeded"}})",
       R::RateLimit, "rate_limit_exceeded"},
      {"OpenAiInsufficientQuotaIsQuota", "openai", 429, kJson,
       R"({"error":{"message":"You exceeded your current quota, please check your plan and )"
       R"(billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})",
       R::Quota, "insufficient_quota"},
      {"CodexUsageLimitReachedIsQuota", "openai-codex", 429, kJson,
       R"({"error":{"type":"usage_limit_reached","message":"The usage limit has been reached",)"
       R"("plan_type":"plus","resets_in_seconds":3600}})",
       R::Quota, "usage_limit_reached"},
      {"AnthropicCreditBalance400IsQuota", "anthropic", 400, kJson,
       R"({"type":"error","error":{"type":"invalid_request_error","message":"Your credit )"
       R"(balance is too low to access the Anthropic API. Please go to Plans & Billing."}})",
       R::Quota, "invalid_request_error"},
      {"PlainTextBillingMessageIsQuota",
       "custom:lab",
       429,
       {},
       "billing limit hit for this key",
       R::Quota,
       ""},
      {"PaymentRequiredIsQuota", "deepseek", 402, kJson,
       R"({"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,)"
       R"("code":"invalid_request_error"}})",
       R::Quota, "invalid_request_error"},
      {"OpenRouterProviderReturnedErrorIsUpstream", "openrouter", 429, kJson,
       R"({"error":{"code":429,"message":"Provider returned error","metadata":{"raw":)"
       R"("google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream",)"
       R"("provider_name":"Google AI Studio"}},"user_id":"user_x"})",
       R::UpstreamRateLimit, ""},
      {"OpenRouterUpstreamQuotaTextIsNotTheKeysQuota", "openrouter", 429, kJson,
       R"({"error":{"code":429,"message":"Provider returned error","metadata":{"raw":"You )"
       R"(exceeded your current quota, please check your plan and billing details",)"
       R"("provider_name":"OpenAI"}}})",
       R::UpstreamRateLimit, ""},
      {"OpenRouterUpstreamRawJsonQuotaIsNotTheKeysQuota", "openrouter", 429, kJson,
       R"({"error":{"code":429,"message":"Provider returned error","metadata":{"raw":{"error":)"
       R"({"code":"insufficient_quota","message":"billing hard limit"}},"provider_name":"OpenAI"}}})",
       R::UpstreamRateLimit, ""},
      {"OpenRouterOwn429IsTheKeysRateLimit", "openrouter", 429, kJson,
       R"({"error":{"code":429,"message":"Rate limit exceeded: free-models-per-day. Add 10 )"
       R"(credits to unlock 1000 free model requests per day"}})",
       R::RateLimit, ""},
      {"OpenRouterOwn402IsQuota", "openrouter", 402, kJson,
       R"({"error":{"code":402,"message":"This request requires more credits, or fewer )"
       R"(max_tokens. You requested up to 4096 tokens, but can only afford 1203."}})",
       R::Quota, ""},
      {"OpenRouterOwn401IsAuth", "openrouter", 401, kJson,
       R"({"error":{"code":401,"message":"No auth credentials found"}})", R::Auth, ""},
      {"OpenRouterRelayedUpstream401IsNotTheKeys", "openrouter", 401, kJson,
       R"({"error":{"code":401,"message":"Provider returned error","metadata":{"raw":)"
       R"("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",)"
       R"(\"message\":\"invalid x-api-key\"}}","provider_name":"Anthropic"}}})",
       R::Server, ""},
      {"OpenRouterRelayedUpstream402IsNotTheKeys", "openrouter", 402, kJson,
       R"({"error":{"code":402,"message":"Provider returned error","metadata":{"raw":)"
       R"("credit balance is too low","provider_name":"Anthropic"}}})",
       R::Server, ""},
      {"OpenRouterModerationIsContentPolicy", "openrouter", 403, kJson,
       R"({"error":{"code":403,"message":"openai/gpt-4o requires moderation on OpenAI. Your )"
       R"(input was flagged for \"violence\".","metadata":{"reasons":["violence"],)"
       R"("flagged_input":"...","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}})",
       R::ContentPolicy, ""},
      {"OpenRouterUpstreamContextOverflowIsContextOverflow", "openrouter", 400, kJson,
       R"({"error":{"code":400,"message":"Provider returned error","metadata":{"raw":"This )"
       R"(model's maximum context length is 8192 tokens.","provider_name":"Groq"}}})",
       R::ContextOverflow, ""},
      {"OpenRouterUpstream400WithQuotaTextIsBadRequest", "openrouter", 400, kJson,
       R"({"error":{"code":400,"message":"Provider returned error","metadata":{"raw":"Your )"
       R"(credit balance is too low to access the Anthropic API.","provider_name":"Anthropic"}}})",
       R::BadRequest, ""},
      {"OpenRouterRelayedUpstream502IsServer", "openrouter", 502, kJson,
       R"({"error":{"code":502,"message":"Provider returned error","metadata":{"raw":"You )"
       R"(exceeded your current quota","provider_name":"OpenAI"}}})",
       R::Server, ""},
      {"OpenRouterNoProviderAvailableIsOverloaded", "openrouter", 503, kJson,
       R"({"error":{"code":503,"message":"No allowed providers are available for the selected )"
       R"(model."}})",
       R::Overloaded, ""},
      {"UpstreamMetadataIsUpstream", "custom:router", 429, kJson,
       R"({"error":{"code":429,"message":"Rate limited","metadata":{"provider_name":"Together"}}})",
       R::UpstreamRateLimit, ""},
      {"OverloadedPhraseOn429IsOverloaded", "zai", 429, kJson,
       R"({"error":{"code":"1305","message":"The service may be temporarily overloaded, please )"
       R"(try again later"}})",
       R::Overloaded, "1305"},
      {"AtCapacityOn429IsOverloaded", "mistral", 429, kJson,
       R"({"message":"Service tier capacity exceeded: model is at capacity"})", R::Overloaded, ""},
      {"AnthropicRateLimitIsModelScoped", "anthropic", 429, kJson,
       R"({"type":"error","error":{"type":"rate_limit_error","message":"This request would )"
       R"(exceed your organization's rate limit of 50,000 input tokens per minute."}})",
       R::RateLimit, "rate_limit_error", false, true},
      {"GeminiPerMinuteQuotaIsRateLimit", "gemini", 429, kJson,
       R"({"error":{"code":429,"message":"You exceeded your current quota, please check your )"
       R"(plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":)"
       R"("type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"x",)"
       R"("quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},{"@type":)"
       R"("type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13s"}]}})",
       R::RateLimit, "RESOURCE_EXHAUSTED"},
      {"GoogleArrayWrappedError", "gemini", 503, kJson,
       R"([{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}])",
       R::Overloaded, "UNAVAILABLE"},
      {"ApiKeyAuth", "openai", 401, kJson,
       R"({"error":{"message":"Incorrect API key provided: sk-...abcd.","type":)"
       R"("invalid_request_error","param":null,"code":"invalid_api_key"}})",
       R::Auth, "invalid_api_key"},
      {"TokenInvalidatedIsTerminal", "openai-codex", 401, kJson,
       R"({"error":{"message":"Your authentication token has been invalidated.","type":)"
       R"("invalid_request_error","code":"token_invalidated"}})",
       R::Auth, "token_invalidated", true},
      {"TokenRevokedIsTerminal", "nous", 401, kJson, R"({"error":{"code":"token_revoked"}})",
       R::Auth, "token_revoked", true},
      {"OAuthInvalidGrantIsTerminal", "openai-codex", 401, kJson,
       R"({"error":"invalid_grant","error_description":"Refresh token expired"})", R::Auth,
       "invalid_grant", true},
      {"RefreshTokenReusedIsTerminal", "openai-codex", 401, kJson,
       R"({"error":{"code":"refresh_token_reused","message":"Already used"}})", R::Auth,
       "refresh_token_reused", true},
      {"ExpiredTokenIsNotTerminal", "openai-codex", 401, kJson,
       R"({"error":{"code":"token_expired","message":"expired"}})", R::Auth, "token_expired"},
      {"Forbidden", "anthropic", 403, kJson,
       R"({"type":"error","error":{"type":"permission_error","message":"Your API key does not )"
       R"(have permission to use the specified resource."}})",
       R::Forbidden, "permission_error"},
      {"CloudflareChallengePageIsUpstreamBlocked",
       "openai",
       403,
       {{"content-type", "text/html"}},
       "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf-ray</body>"
       "</html>",
       R::UpstreamBlocked,
       ""},
      {"AttentionRequiredPageIsUpstreamBlocked",
       "openai",
       403,
       {},
       "<html><head><title>Attention Required! | Cloudflare</title></head></html>",
       R::UpstreamBlocked,
       ""},
      {"CfMitigatedHeaderIsUpstreamBlocked",
       "openrouter",
       403,
       {{"cf-mitigated", "challenge"}},
       "",
       R::UpstreamBlocked,
       ""},
      {"CloudflareServerWithHtmlIsUpstreamBlocked",
       "xai",
       403,
       {{"Server", "cloudflare"}},
       "<html><body>Sorry, you have been blocked</body></html>",
       R::UpstreamBlocked,
       ""},
      {"HtmlPageOn429IsUpstreamBlocked",
       "openai",
       429,
       {{"content-type", "text/html"}},
       "<html><head><title>429 Too Many Requests</title></head><body><center>429 Too Many "
       "Requests</center><hr><center>nginx</center></body></html>",
       R::UpstreamBlocked,
       ""},
      {"PlainHtmlOn403IsUpstreamBlocked",
       "anthropic",
       403,
       {{"content-type", "text/html"}},
       "<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>Forbidden</body>"
       "</html>",
       R::UpstreamBlocked,
       ""},
      {"CloudflareChallengeOn503IsUpstreamBlocked",
       "openai-codex",
       503,
       {{"content-type", "text/html; charset=UTF-8"}, {"server", "cloudflare"}},
       "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body>"
       "<script>window._cf_chl_opt={}</script></body></html>",
       R::UpstreamBlocked,
       ""},
      {"CfMitigatedHeaderOn429IsUpstreamBlocked",
       "openai",
       429,
       {{"cf-mitigated", "challenge"}, {"content-type", "text/html"}},
       "",
       R::UpstreamBlocked,
       ""},
      {"CloudflareOriginErrorOn502IsServer",
       "groq",
       502,
       {{"server", "cloudflare"}, {"content-type", "text/html"}},
       "<html><head><title>502 Bad Gateway</title></head><body><center>cloudflare</center>"
       "cf-ray: 8a1b</body></html>",
       R::Server,
       ""},
      {"CloudflareServerWithJsonIsForbidden",
       "xai",
       403,
       {{"Server", "cloudflare"}},
       R"({"code":"forbidden","error":"Team is blocked"})",
       R::Forbidden,
       "forbidden"},
      {"OpenRouterKeyLimit403IsQuota", "openrouter", 403, kJson,
       R"({"error":{"message":"Key limit exceeded (total limit). Manage it using )"
       R"(https://openrouter.ai/settings/keys","code":403}})",
       R::Quota, ""},
      {"XaiSpendingLimitIsQuota", "xai", 403, kJson,
       R"({"code":"Some resource has been exhausted","error":"Your team has either used all )"
       R"(available credits or reached its monthly spending limit."})",
       R::Quota, "Some resource has been exhausted"},
      {"UpstreamUnavailable403IsOverloaded", "openai-codex", 403, kJson,
       R"({"error":{"code":"upstream_unavailable","message":"try later"}})", R::Overloaded,
       "upstream_unavailable"},
      {"ServiceUnavailableIsOverloaded",
       "openai",
       503,
       {},
       "Service Unavailable",
       R::Overloaded,
       ""},
      {"Anthropic529IsOverloaded", "anthropic", 529, kJson,
       R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
       R::Overloaded, "overloaded_error"},
      {"AnthropicOverloadedErrorOn500IsOverloaded", "anthropic", 500, kJson,
       R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
       R::Overloaded, "overloaded_error"},
      {"InternalServerError", "openai", 500, kJson,
       R"({"error":{"message":"The server had an error while processing your request.",)"
       R"("type":"server_error","param":null,"code":null}})",
       R::Server, "server_error"},
      {"BadGatewayIsServer", "groq", 502, {}, "<html>502 Bad Gateway</html>", R::Server, ""},
      {"GatewayTimeoutIsTimeout", "together", 504, {}, "", R::Timeout, ""},
      {"RequestTimeoutIsBadRequest", "openai", 408, {}, "", R::BadRequest, ""},
      {"OpenAiContextLengthExceeded", "openai", 400, kJson,
       R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, )"
       R"(your messages resulted in 130000 tokens.","type":"invalid_request_error",)"
       R"("param":"messages","code":"context_length_exceeded"}})",
       R::ContextOverflow, "context_length_exceeded"},
      {"AnthropicPromptTooLong", "anthropic", 400, kJson,
       R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too )"
       R"(long: 210000 tokens > 200000 maximum"}})",
       R::ContextOverflow, "invalid_request_error"},
      {"ContentPolicyViolationCode", "openai", 400, kJson,
       R"({"error":{"code":"content_policy_violation","message":"Your request was rejected )"
       R"(as a result of our safety system.","type":"invalid_request_error"}})",
       R::ContentPolicy, "content_policy_violation"},
      {"ContentFilterCode", "custom:azure", 400, kJson,
       R"({"error":{"code":"content_filter","message":"The response was filtered due to the )"
       R"(prompt triggering Azure OpenAI's content management policy."}})",
       R::ContentPolicy, "content_filter"},
      {"InvalidPromptWithUsagePolicy", "openai", 400, kJson,
       R"({"error":{"message":"Invalid prompt: your prompt was flagged as potentially )"
       R"(violating our usage policy.","type":"invalid_request_error","code":"invalid_prompt"}})",
       R::ContentPolicy, "invalid_prompt"},
      {"InvalidPromptWithoutPolicyIsBadRequest", "openai", 400, kJson,
       R"({"error":{"message":"Invalid prompt: missing field","code":"invalid_prompt"}})",
       R::BadRequest, "invalid_prompt"},
      {"AnthropicContentFilteringPolicy", "anthropic", 400, kJson,
       R"({"type":"error","error":{"type":"invalid_request_error","message":"Output blocked )"
       R"(by content filtering policy"}})",
       R::ContentPolicy, "invalid_request_error"},
      {"OtherBadRequest", "openai", 400, kJson,
       R"({"error":{"message":"Unrecognized request argument supplied: foo","type":)"
       R"("invalid_request_error","param":null,"code":null}})",
       R::BadRequest, "invalid_request_error"},
      {"NotFoundIsBadRequest", "openai", 404, kJson,
       R"({"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error",)"
       R"("code":"model_not_found"}})",
       R::BadRequest, "model_not_found"},
      {"UnprocessableIsBadRequest", "mistral", 422, kJson, R"({"detail":"invalid"})", R::BadRequest,
       ""},
      {"RedirectIsBadRequest",
       "openai",
       302,
       {{"location", "https://example.com/"}},
       "",
       R::BadRequest,
       ""},
      {"NotModifiedIsBadRequest", "openai", 304, {}, "", R::BadRequest, ""},
      {"PayloadTooLargeIsBadRequest", "anthropic", 413, kJson,
       R"({"type":"error","error":{"type":"request_too_large","message":"Request exceeds the )"
       R"(maximum allowed number of bytes."}})",
       R::BadRequest, "request_too_large"},
      {"TeapotWithGarbageIsBadRequest", "custom:lab", 418, {}, "\x01not json", R::BadRequest, ""},
      {"InformationalStatusIsUnknown", "openai", 101, {}, "", R::Unknown, ""},
      {"StatusOutOfRangeIsUnknown", "custom:lab", 999, {}, "", R::Unknown, ""},
      {"GeminiApiKeyInvalid400IsAuth", "gemini", 400, kJson,
       R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.",)"
       R"("status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.)"
       R"(ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":)"
       R"({"service":"generativelanguage.googleapis.com"}}]}})",
       R::Auth, "INVALID_ARGUMENT"},
      {"GeminiOpenAiCompatibleApiKeyInvalidIsAuth", "gemini", 400, kJson,
       R"([{"error":{"code":400,"message":"API key expired. Please renew the API key.",)"
       R"("status":"INVALID_ARGUMENT"}}])",
       R::Auth, "INVALID_ARGUMENT"},
      {"GeminiOtherInvalidArgumentIsBadRequest", "gemini", 400, kJson,
       R"({"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not )"
       R"(specified","status":"INVALID_ARGUMENT"}})",
       R::BadRequest, "INVALID_ARGUMENT"},
      {"GarbageBodyKeepsTheStatusReason",
       "openai",
       429,
       {},
       "\x01\x02{{not json",
       R::RateLimit,
       ""},
  };
  return cases;
}

TEST(Classifier, EachProviderErrorShapeGetsItsReason) {
  for (const ClassifyCase& c : classify_cases()) {
    SCOPED_TRACE(c.name);

    const auto f = classify(c.provider, c.status, c.headers, c.body, kNoon);

    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->reason, c.reason);
    EXPECT_EQ(f->status_code, c.status);
    EXPECT_EQ(f->error_code, c.error_code);
    EXPECT_EQ(f->terminal, c.terminal);
    EXPECT_EQ(f->model_scoped, c.model_scoped);
  }
}

TEST(Classifier, SuccessIsNotAFailure) {
  const auto f = classify("openai", 200, kJson,
                          R"({"id":"chatcmpl-1","object":"chat.completion","choices":[]})", kNoon);

  EXPECT_FALSE(f.has_value());
}

TEST(Classifier, SoftFailureOn200IsAFailureWithItsStatus) {
  const auto f =
      classify("openai-codex", 200, kJson,
               R"({"id":"resp_1","object":"response","status":"failed","error":{"code":)"
               R"("rate_limit_exceeded","message":"Rate limit reached. Please try again in 7s."}})",
               kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->reason, R::RateLimit);
  EXPECT_EQ(f->status_code, 200);
  ASSERT_TRUE(f->retry_after.has_value());
  EXPECT_EQ(f->retry_after->count(), 7'000);
}

TEST(Classifier, ResetHintsFromHeadersAndBodyFillTheFailure) {
  const HeaderList headers = {{"retry-after", "20"}, {"x-ratelimit-reset-requests", "6m0s"}};

  const auto f =
      classify("openai", 429, headers,
               R"({"error":{"code":"rate_limit_exceeded","message":"slow down"}})", kNoon);

  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->resets_at.has_value());
  EXPECT_EQ(*f->resets_at, kNoon + std::chrono::seconds(20));
  ASSERT_TRUE(f->retry_after.has_value());
  EXPECT_EQ(f->retry_after->count(), 20'000);
}

TEST(Classifier, GoogleRetryDelayFillsTheFailure) {
  const auto f = classify(
      "gemini", 429, kJson,
      R"({"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED",)"
      R"("details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13s"}]}})",
      kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->resets_at, kNoon + std::chrono::seconds(13));
}

TEST(Classifier, LargeSuccessfulBodyIsJudgedByItsStartOnly) {
  const std::string body = R"({"id":"chatcmpl-1","choices":[{"message":{"content":")" +
                           std::string(200'000, 'a') + R"("}}]})";

  const auto f = classify("openai", 200, kJson, body, kNoon);

  EXPECT_FALSE(f.has_value());
}

TEST(Classifier, MessageIsCollapsedAndCutTo300Bytes) {
  const std::string long_text(1000, 'x');

  const auto f = classify("openai", 500, {}, "  line one\n\n  line two " + long_text, kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->message.size(), 300U);
  EXPECT_EQ(f->message.rfind("line one line two x", 0), 0U);
}

TEST(Classifier, MessageCutNeverSplitsACharacter) {
  std::string text(299, 'a');
  text += "\xC3\xA9tait";  // "é" straddles byte 300

  const std::string cut = shorten_message(text, 300);

  EXPECT_EQ(cut, std::string(299, 'a'));
}

TEST(Classifier, HtmlPageMessageIsItsTitle) {
  const auto f = classify("openai", 403, {},
                          "<html><head><title>Attention Required! | Cloudflare</title></head>"
                          "<body>...</body></html>",
                          kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->message, "Attention Required! | Cloudflare");
}

TEST(Classifier, AggregatorMessageNamesTheUpstreamAndQuotesIt) {
  const auto f =
      classify("openrouter", 429, kJson,
               R"({"error":{"code":429,"message":"Provider returned error","metadata":{"raw":)"
               R"("google/gemini-2.0-flash-exp:free is temporarily rate-limited upstream",)"
               R"("provider_name":"Google AI Studio"}}})",
               kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->message,
            "Provider returned error (Google AI Studio: google/gemini-2.0-flash-exp:free is "
            "temporarily rate-limited upstream)");
}

TEST(Classifier, AggregatorUpstreamWaitIsNotReadAsTheKeysReset) {
  const auto f = classify("openrouter", 429, kJson,
                          R"({"error":{"code":429,"message":"Provider returned error","metadata":)"
                          R"({"raw":"Please try again in 20m","provider_name":"OpenAI"}}})",
                          kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->resets_at.has_value());
  EXPECT_FALSE(f->retry_after.has_value());
}

TEST(Classifier, ProviderResetAlreadyPastIsReported) {
  const HeaderList headers = {{"retry-after", "0"}};

  const auto f = classify("openai", 429, headers,
                          R"({"error":{"code":"rate_limit_exceeded","message":"slow"}})", kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->resets_at, kNoon);
}

TEST(Classifier, ProviderResetBeyondThirtyDaysIsNotCutByTheClassifier) {
  const auto f = classify(
      "openai-codex", 429, kJson,
      R"({"error":{"type":"usage_limit_reached","message":"limit","resets_in_seconds":5184000}})",
      kNoon);

  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->resets_at, kNoon + std::chrono::seconds(5'184'000));  // 60 days
}

TEST(Classifier, TransportAndTimeoutFailuresNeverBlameTheCredential) {
  const Failure t = timeout_failure();
  const Failure u = transport_failure("connection refused");

  EXPECT_EQ(t.reason, R::Timeout);
  EXPECT_EQ(u.reason, R::Server);
  EXPECT_EQ(u.message, "connection refused");
  EXPECT_EQ(u.error_code, "upstream_unreachable");
}

}  // namespace
}  // namespace credpool::core
