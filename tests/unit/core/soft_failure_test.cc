#include "core/soft_failure.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace credpool::core {
namespace {

using R = FailureReason;
using V = StartVerdict;

const WallTime kNoon = from_epoch(1'746'100'800);

struct StartCase {
  std::string name;
  std::string provider;
  bool stream;
  std::string head;
  bool complete;
  V verdict;
  std::optional<R> reason = std::nullopt;
  std::string error_code = {};
};

const std::vector<StartCase>& start_cases() {
  static const std::vector<StartCase> cases = {
      // JSON bodies.
      {"CleanChatCompletion", "openai", false,
       R"({"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0}]})", true, V::Clean},
      {"ResponsesFailedWithQuotaError", "openai-codex", false,
       R"({"id":"resp_1","object":"response","status":"failed","error":{"code":)"
       R"("insufficient_quota","message":"You exceeded your current quota"}})",
       true, V::Failed, R::Quota, "insufficient_quota"},
      {"ResponsesFailedWithUsageLimit", "openai-codex", false,
       R"({"status":"failed","error":{"code":"usage_limit_reached","message":"limit"}})", true,
       V::Failed, R::Quota, "usage_limit_reached"},
      {"ResponsesFailedWithRateLimit", "openai-codex", false,
       R"({"status":"failed","error":{"code":"rate_limit_exceeded","message":"slow"}})", true,
       V::Failed, R::RateLimit, "rate_limit_exceeded"},
      {"ResponsesFailedWithContentPolicy", "openai", false,
       R"({"status":"failed","error":{"code":"content_policy_violation","message":"no"}})", true,
       V::Failed, R::ContentPolicy, "content_policy_violation"},
      {"ResponsesCancelledWithoutError", "openai", false, R"({"status":"cancelled","error":null})",
       true, V::Failed, R::Unknown, "cancelled"},
      {"ResponsesFailedWithInvalidImageUrlIsBadRequest", "openai", false,
       R"({"id":"resp_1","object":"response","status":"failed","error":{"code":)"
       R"("invalid_image_url","message":"Error while downloading https://x.test/a.png."}})",
       true, V::Failed, R::BadRequest, "invalid_image_url"},
      {"ResponsesFailedWithInvalidPromptIsBadRequest", "openai", false,
       R"({"status":"failed","error":{"code":"invalid_prompt","message":"Invalid prompt"}})", true,
       V::Failed, R::BadRequest, "invalid_prompt"},
      {"ResponsesFailedWithInvalidRequestTypeIsBadRequest", "openai-codex", false,
       R"({"status":"failed","error":{"type":"invalid_request_error","message":"bad input"}})",
       true, V::Failed, R::BadRequest, "invalid_request_error"},
      {"ResponsesFailedWithImageParseErrorIsBadRequest", "openai", false,
       R"({"status":"failed","error":{"code":"image_parse_error","message":"cannot parse"}})", true,
       V::Failed, R::BadRequest, "image_parse_error"},
      {"ResponsesFailedWithContextLengthIsContextOverflow", "openai-codex", false,
       R"({"status":"failed","error":{"code":"context_length_exceeded","message":"Your input )"
       R"(exceeds the context window of this model."}})",
       true, V::Failed, R::ContextOverflow, "context_length_exceeded"},
      {"ResponsesFailedWithImageContentPolicyIsContentPolicy", "openai", false,
       R"({"status":"failed","error":{"code":"image_content_policy_violation","message":"no"}})",
       true, V::Failed, R::ContentPolicy, "image_content_policy_violation"},
      {"ResponsesFailedWithQuotaWordingIsQuota", "openai", false,
       R"({"status":"failed","error":{"code":"oops","message":"You exceeded your current )"
       R"(quota, please check your plan and billing details."}})",
       true, V::Failed, R::Quota, "oops"},
      {"ResponsesFailedWithVectorStoreTimeoutIsServer", "openai", false,
       R"({"status":"failed","error":{"code":"vector_store_timeout","message":"timed out"}})", true,
       V::Failed, R::Server, "vector_store_timeout"},
      {"ResponsesFailedWithUnknownCodeIsUnknown", "openai", false,
       R"({"status":"failed","error":{"code":"something_new","message":"?"}})", true, V::Failed,
       R::Unknown, "something_new"},
      {"AggregatorErrorBodyOn200IsJudgedByItsNumericCode", "openrouter", false,
       R"({"error":{"code":502,"message":"Upstream error"}})", true, V::Failed, R::Server, ""},
      {"AggregatorSoftRateLimitWithoutMetadataIsNotTheKeys", "openrouter", false,
       R"({"error":{"code":429,"message":"Rate limit exceeded"}})", true, V::Failed,
       R::UpstreamRateLimit, ""},
      {"AggregatorSoftQuotaIsNotTheKeysQuota", "openrouter", false,
       R"({"error":{"code":"insufficient_quota","message":"You exceeded your current quota"}})",
       true, V::Failed, R::UpstreamRateLimit, "insufficient_quota"},
      {"IncompleteJsonNeedsMore", "openai", false, R"({"id":"resp_1","status":"fai)", false,
       V::NeedMore},
      {"IncompleteJsonAtEndIsClean", "openai", false, R"({"id":"resp_1","status":"fai)", true,
       V::Clean},
      {"NonJsonBodyIsClean", "openai", false, "hello", false, V::Clean},
      // Event streams.
      {"ChatChunkIsClean", "openai", true,
       "data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n", false, V::Clean},
      {"PartialFirstEventNeedsMore", "openai", true, "data: {\"id\":\"c1\",\"choi", false,
       V::NeedMore},
      {"PartialFirstEventAtEndIsJudged", "openai", true,
       "data: {\"error\":{\"message\":\"Rate limit\",\"code\":\"rate_limit_exceeded\"}}", true,
       V::Failed, R::RateLimit, "rate_limit_exceeded"},
      {"OpenAiStyleErrorChunk", "openrouter", true,
       ": OPENROUTER PROCESSING\n\ndata: {\"error\":{\"code\":\"server_error\",\"message\":"
       "\"Internal\"}}\n\n",
       false, V::Failed, R::Server, "server_error"},
      {"AnthropicErrorEvent", "anthropic", true,
       "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
       "\"message\":\"Overloaded\"}}\n\n",
       false, V::Failed, R::Overloaded, "overloaded_error"},
      {"AnthropicRateLimitEventIsModelScoped", "anthropic", true,
       "event: error\r\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
       "\"message\":\"Rate limited\"}}\r\n\r\n",
       false, V::Failed, R::RateLimit, "rate_limit_error"},
      {"AnthropicPingThenMessageStartIsClean", "anthropic", true,
       "event: ping\ndata: {\"type\": \"ping\"}\n\nevent: message_start\ndata: {\"type\":"
       "\"message_start\",\"message\":{\"id\":\"msg_1\",\"content\":[]}}\n\n",
       false, V::Clean},
      {"CommentsAndPingsOnlyNeedMore", "anthropic", true,
       ": ping\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n\n", false, V::NeedMore},
      {"ResponsesFailedAfterPreamble", "openai-codex", true,
       "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":"
       "\"resp_1\",\"status\":\"in_progress\",\"error\":null}}\n\n"
       "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"response\":"
       "{\"id\":\"resp_1\",\"status\":\"in_progress\"}}\n\n"
       "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":"
       "\"resp_1\",\"status\":\"failed\",\"error\":{\"code\":\"usage_limit_reached\","
       "\"message\":\"The usage limit has been reached\",\"resets_in_seconds\":60}}}\n\n",
       false, V::Failed, R::Quota, "usage_limit_reached"},
      {"ResponsesPreambleAloneNeedsMore", "openai-codex", true,
       "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":"
       "\"resp_1\",\"status\":\"in_progress\"}}\n\n",
       false, V::NeedMore},
      {"ResponsesOutputIsClean", "openai", true,
       "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"
       "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\"}\n\n",
       false, V::Clean},
      {"ResponsesStreamErrorEvent", "openai", true,
       "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":"
       "\"Too many\",\"sequence_number\":1}\n\n",
       false, V::Failed, R::RateLimit, "rate_limit_exceeded"},
      {"ResponsesStreamFailedWithInvalidImageUrlIsBadRequest", "openai", true,
       "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"
       "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":"
       "\"resp_1\",\"status\":\"failed\",\"error\":{\"code\":\"invalid_image_url\","
       "\"message\":\"Error while downloading the image\"}}}\n\n",
       false, V::Failed, R::BadRequest, "invalid_image_url"},
      {"ResponsesStreamErrorEventWithInvalidPromptIsBadRequest", "openai", true,
       "event: error\ndata: {\"type\":\"error\",\"code\":\"invalid_prompt\",\"message\":"
       "\"Invalid prompt\",\"sequence_number\":1}\n\n",
       false, V::Failed, R::BadRequest, "invalid_prompt"},
      {"AnthropicInvalidRequestEventIsBadRequest", "anthropic", true,
       "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
       "\"invalid_request_error\",\"message\":\"messages: text content blocks must be "
       "non-empty\"}}\n\n",
       false, V::Failed, R::BadRequest, "invalid_request_error"},
      {"OpenRouterStreamedProviderErrorIsUpstreamRateLimit", "openrouter", true,
       ": OPENROUTER PROCESSING\n\ndata: {\"error\":{\"code\":429,\"message\":\"Provider "
       "returned error\",\"metadata\":{\"raw\":\"You exceeded your current quota\","
       "\"provider_name\":\"OpenAI\"}}}\n\n",
       false, V::Failed, R::UpstreamRateLimit, ""},
      {"DoneIsClean", "openai", true, "data: [DONE]\n\n", false, V::Clean},
      {"EmptyStreamAtEndIsClean", "openai", true, "", true, V::Clean},
      {"EmptyStreamNeedsMore", "openai", true, "", false, V::NeedMore},
  };
  return cases;
}

TEST(SoftFailure, FirstEventOrBodyDecidesTheVerdict) {
  for (const StartCase& c : start_cases()) {
    SCOPED_TRACE(c.name);

    const SoftFailureVerdict v =
        inspect_response_start(c.provider, c.stream, c.head, c.complete, kNoon);

    EXPECT_EQ(v.verdict, c.verdict);
    ASSERT_EQ(v.failure.has_value(), c.reason.has_value());
    if (v.failure) {
      EXPECT_EQ(v.failure->reason, *c.reason);
      EXPECT_EQ(v.failure->error_code, c.error_code);
      EXPECT_EQ(v.failure->status_code, 200);
    }
  }
}

TEST(SoftFailure, AnthropicStreamedRateLimitIsModelScoped) {
  const std::string head =
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
      "\"message\":\"Rate limited\"}}\n\n";

  const SoftFailureVerdict v = inspect_response_start("anthropic", true, head, false, kNoon);

  ASSERT_TRUE(v.failure.has_value());
  EXPECT_TRUE(v.failure->model_scoped);
}

TEST(SoftFailure, CodexSoftFailureCarriesItsReset) {
  const std::string body =
      R"({"status":"failed","error":{"code":"usage_limit_reached","message":"limit",)"
      R"("resets_in_seconds":600}})";

  const SoftFailureVerdict v = inspect_response_start("openai-codex", false, body, true, kNoon);

  ASSERT_TRUE(v.failure.has_value());
  EXPECT_EQ(v.failure->resets_at, kNoon + std::chrono::seconds(600));
}

}  // namespace
}  // namespace credpool::core
