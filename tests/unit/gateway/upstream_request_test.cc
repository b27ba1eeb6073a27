#include "gateway/upstream_request.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace credpool::gateway {
namespace {

using providers::AuthHeader;
using providers::Wire;

TEST(UpstreamUrl, BuildsFromBaseUrlAndPathPerWire) {
  struct Row {
    std::string_view base;
    Wire wire;
    std::string_view path;
    std::string_view expected;
  };
  const Row rows[] = {
      {"https://api.openai.com/v1", Wire::OpenAI, "/v1/chat/completions",
       "https://api.openai.com/v1/chat/completions"},
      {"https://openrouter.ai/api/v1/", Wire::OpenAI, "/v1/models",
       "https://openrouter.ai/api/v1/models"},
      {"https://api.z.ai/api/paas/v4", Wire::OpenAI, "/v1/chat/completions",
       "https://api.z.ai/api/paas/v4/chat/completions"},
      {"https://api.anthropic.com", Wire::Anthropic, "/v1/messages",
       "https://api.anthropic.com/v1/messages"},
      {"http://127.0.0.1:9000", Wire::Anthropic, "/v1/messages/count_tokens",
       "http://127.0.0.1:9000/v1/messages/count_tokens"},
      {"http://127.0.0.1:9000/v1", Wire::OpenAI, "/v1/models?limit=2",
       "http://127.0.0.1:9000/v1/models?limit=2"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.expected));
    EXPECT_EQ(upstream_url(row.base, row.wire, row.path), row.expected);
  }
}

TEST(UpstreamHeaders, DropsClientCredentialsHostHopByHopAndCredpoolHeaders) {
  const core::HeaderList client = {{"Host", "localhost:4000"},
                                   {"Authorization", "Bearer gw-key"},
                                   {"X-Api-Key", "gw-key"},
                                   {"Connection", "keep-alive, X-Trace"},
                                   {"X-Trace", "1"},
                                   {"Transfer-Encoding", "chunked"},
                                   {"x-credpool-debug", "1"},
                                   {"Content-Type", "application/json"},
                                   {"OpenAI-Organization", "org-1"}};

  const auto out =
      upstream_headers(client, Wire::OpenAI, AuthHeader::Bearer, core::Secret("sk-upstream-0001"));

  const core::HeaderList expected = {{"Content-Type", "application/json"},
                                     {"OpenAI-Organization", "org-1"},
                                     {"authorization", "Bearer sk-upstream-0001"}};
  EXPECT_EQ(out, expected);
}

TEST(UpstreamHeaders, AnthropicGetsApiKeyAndDefaultVersion) {
  const auto out =
      upstream_headers({}, Wire::Anthropic, AuthHeader::XApiKey, core::Secret("sk-ant-000000001"));

  EXPECT_EQ(find_header(out, "x-api-key"), "sk-ant-000000001");
  EXPECT_EQ(find_header(out, "anthropic-version"), "2023-06-01");
  EXPECT_FALSE(find_header(out, "authorization").has_value());
}

TEST(UpstreamHeaders, KeepsTheClientsAnthropicVersion) {
  const auto out = upstream_headers({{"Anthropic-Version", "2024-01-01"}}, Wire::Anthropic,
                                    AuthHeader::XApiKey, core::Secret("k"));

  EXPECT_EQ(find_header(out, "anthropic-version"), "2024-01-01");
  EXPECT_EQ(out.size(), 2u);
}

TEST(ClientHeaders, DropsHopByHopAndContentLength) {
  const core::HeaderList upstream = {{"Content-Type", "text/event-stream"},
                                     {"Transfer-Encoding", "chunked"},
                                     {"Content-Length", "10"},
                                     {"Keep-Alive", "timeout=5"},
                                     {"x-request-id", "abc"}};

  const core::HeaderList expected = {{"Content-Type", "text/event-stream"},
                                     {"x-request-id", "abc"}};
  EXPECT_EQ(client_headers(upstream), expected);
}

TEST(RewriteModel, ReplacesTheTopLevelModel) {
  const auto out = rewrite_model(R"({"model":"gpt-4o","messages":[]})", "openai/gpt-4o-mini");

  ASSERT_TRUE(out.has_value());
  const auto json = nlohmann::json::parse(*out);
  EXPECT_EQ(json["model"], "openai/gpt-4o-mini");
  EXPECT_TRUE(json["messages"].is_array());
}

TEST(RewriteModel, FailsOnABodyThatIsNotAnObject) {
  EXPECT_FALSE(rewrite_model("[1,2]", "m").has_value());
  EXPECT_FALSE(rewrite_model("{oops", "m").has_value());
}

TEST(HopByHop, RecognisesTheRfcListCaseInsensitively) {
  EXPECT_TRUE(is_hop_by_hop("Connection"));
  EXPECT_TRUE(is_hop_by_hop("TRANSFER-ENCODING"));
  EXPECT_TRUE(is_hop_by_hop("Proxy-Authenticate"));
  EXPECT_FALSE(is_hop_by_hop("Content-Type"));
}

}  // namespace
}  // namespace credpool::gateway
