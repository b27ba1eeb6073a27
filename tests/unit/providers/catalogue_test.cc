#include "providers/catalogue.h"

#include <gtest/gtest.h>

namespace credpool::providers {
namespace {

TEST(Catalogue, ListsEveryBuiltInProviderOfTheDesignTable) {
  std::vector<std::string> ids;

  for (const ProviderInfo& info : builtin_providers()) ids.push_back(info.id);

  EXPECT_EQ(ids, (std::vector<std::string>{"openai", "anthropic", "openrouter", "gemini",
                                           "deepseek", "groq", "mistral", "together", "xai", "zai",
                                           "openai-codex", "nous"}));
}

TEST(Catalogue, AnthropicSpeaksItsOwnWireWithAnXApiKeyHeaderOnTheBareHost) {
  const ProviderInfo* info = find_provider("anthropic");

  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->wire, Wire::Anthropic);
  EXPECT_EQ(info->auth, AuthHeader::XApiKey);
  EXPECT_EQ(info->base_url, "https://api.anthropic.com");
  EXPECT_EQ(info->env_vars, std::vector<std::string>{"ANTHROPIC_API_KEY"});
}

TEST(Catalogue, GeminiIsSeededFromBothGoogleVariables) {
  const ProviderInfo* info = find_provider("gemini");

  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->env_vars, (std::vector<std::string>{"GEMINI_API_KEY", "GOOGLE_API_KEY"}));
  EXPECT_EQ(info->base_url, "https://generativelanguage.googleapis.com/v1beta/openai");
}

TEST(Catalogue, CodexIsAnOAuthResponsesApiProviderWithoutEnvVariables) {
  const ProviderInfo* info = find_provider("openai-codex");

  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->default_type, core::AuthType::OAuth);
  EXPECT_TRUE(info->responses_api);
  EXPECT_TRUE(info->env_vars.empty());
  EXPECT_EQ(info->base_url, "https://chatgpt.com/backend-api/codex");
}

TEST(Catalogue, EveryOpenAiWireProviderUsesBearerAndEveryBaseUrlIsHttps) {
  for (const ProviderInfo& info : builtin_providers()) {
    SCOPED_TRACE(info.id);

    EXPECT_TRUE(info.base_url.starts_with("https://"));
    EXPECT_FALSE(info.base_url.ends_with("/"));
    if (info.wire == Wire::OpenAI) {
      EXPECT_EQ(info.auth, AuthHeader::Bearer);
    }
  }
}

TEST(Catalogue, FindsProvidersByIdOrAliasTrimmedAndCaseInsensitive) {
  const struct {
    std::string_view input;
    std::string_view id;
  } cases[] = {
      {"openai", "openai"},      {"  OpenAI ", "openai"}, {"claude", "anthropic"},
      {"CLAUDE", "anthropic"},   {"or", "openrouter"},    {"open-router", "openrouter"},
      {"google", "gemini"},      {"grok", "xai"},         {"zhipu", "zai"},
      {"codex", "openai-codex"}, {"nous", "nous"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);

    const ProviderInfo* info = find_provider(c.input);

    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->id, c.id);
  }
}

TEST(Catalogue, HermesOpenAiApiPoolNameIsAnAliasOfOpenAi) {
  const ProviderInfo* info = find_provider("openai-api");

  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->id, "openai");
  EXPECT_EQ(normalize_provider("OpenAI-API"), "openai");
}

TEST(Catalogue, UnknownNamesAreNotFound) {
  EXPECT_EQ(find_provider("opanai"), nullptr);
  EXPECT_EQ(find_provider(""), nullptr);
  EXPECT_EQ(find_provider("custom:lab"), nullptr);
}

TEST(Catalogue, NormalizesAliasesAndLowerCasesEverythingElse) {
  EXPECT_EQ(normalize_provider(" Claude "), "anthropic");
  EXPECT_EQ(normalize_provider("Custom:Lab"), "custom:lab");
  EXPECT_EQ(normalize_provider("SomethingElse"), "somethingelse");
}

TEST(Catalogue, CustomPoolKeysAreMadeFromTheNameOrTheUrlHost) {
  const struct {
    std::string_view input;
    std::string_view key;
  } cases[] = {
      {"Together.ai", "custom:together.ai"},
      {" My Lab ", "custom:my-lab"},
      {"lab", "custom:lab"},
      {"http://127.0.0.1:9001/v1", "custom:127.0.0.1"},
      {"https://user:pw@Models.Example.com/api/v1?x=1", "custom:models.example.com"},
      {"http://[::1]:8080/v1", "custom:::1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);

    EXPECT_EQ(custom_pool_key(c.input), c.key);
  }
}

TEST(Catalogue, SuggestsTheClosestProviderForATypo) {
  const struct {
    std::string_view input;
    std::optional<std::string> suggestion;
  } cases[] = {
      {"opanai", "openai"}, {"antropic", "anthropic"}, {"openruter", "openrouter"},
      {"Gemeni", "gemini"}, {"deeps", "deepseek"},     {"zzzzzzzzzz", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);

    EXPECT_EQ(suggest_provider(c.input), c.suggestion);
  }
}

TEST(Catalogue, SuggestionsIncludeExtraNamesSuchAsCustomProviders) {
  const std::vector<std::string> extra{"mylab"};

  EXPECT_EQ(suggest_provider("mylob", extra), "mylab");
}

TEST(Catalogue, WireNamesRoundTrip) {
  for (const Wire wire : {Wire::OpenAI, Wire::Anthropic}) {
    SCOPED_TRACE(to_string(wire));

    EXPECT_EQ(parse_wire(to_string(wire)), wire);
  }
  EXPECT_EQ(parse_wire(" Anthropic "), Wire::Anthropic);
  EXPECT_EQ(parse_wire("grpc"), std::nullopt);
}

}  // namespace
}  // namespace credpool::providers
