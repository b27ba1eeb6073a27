#include "config/router.h"

#include <gtest/gtest.h>

namespace credpool::config {

void PrintTo(const RouteStep& step, std::ostream* os) {
  *os << "{" << step.provider << ", " << step.model << ", " << step.model_changed << "}";
}

namespace {

Route route(std::string match, std::string provider, std::string model = "",
            std::vector<RouteTarget> fallback = {}) {
  Route out;
  out.match = std::move(match);
  out.provider = std::move(provider);
  out.model = std::move(model);
  out.fallback = std::move(fallback);
  return out;
}

Config routed_config() {
  Config config;
  config.custom_providers.push_back(CustomProvider{.name = "Lab",
                                                   .pool_key = "custom:lab",
                                                   .base_url = "http://127.0.0.1:9001/v1",
                                                   .api_key = {},
                                                   .wire = providers::Wire::OpenAI});
  config.routes.push_back(
      route("gpt-*", "openai", "", {{"openrouter", "openai/gpt-4o-mini"}, {"lab", ""}}));
  config.routes.push_back(route("claude-?", "claude", "claude-x"));
  config.routes.push_back(route("gpt-4o", "groq"));  // shadowed by gpt-*
  return config;
}

TEST(Router, AMatchingRouteGivesItsProviderThenItsFallbacks) {
  const std::vector<RouteStep> steps = route_request(routed_config(), "gpt-4o", false);

  EXPECT_EQ(steps, (std::vector<RouteStep>{{"openai", "gpt-4o", false},
                                           {"openrouter", "openai/gpt-4o-mini", true},
                                           {"custom:lab", "gpt-4o", false}}));
}

TEST(Router, RoutesAreTriedInFileOrder) {
  const std::vector<RouteStep> steps = route_request(routed_config(), "gpt-4o", false);

  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().provider, "openai");
}

TEST(Router, ARouteModelReplacesTheRequestModel) {
  const std::vector<RouteStep> steps = route_request(routed_config(), "claude-3", true);

  EXPECT_EQ(steps, (std::vector<RouteStep>{{"anthropic", "claude-x", true}}));
}

TEST(Router, AKnownProviderPrefixPicksTheProviderAndIsStripped) {
  const struct {
    std::string_view model;
    RouteStep step;
  } cases[] = {
      {"openrouter/meta/llama-3", {"openrouter", "meta/llama-3", true}},
      {"or/x", {"openrouter", "x", true}},
      {"LAB/my-model", {"custom:lab", "my-model", true}},
      {"custom:lab/m", {"custom:lab", "m", true}},
      {"meta/llama-3", {"openai", "meta/llama-3", false}},  // unknown prefix: default provider
      {"/odd", {"openai", "/odd", false}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.model);

    const std::vector<RouteStep> steps = route_request(routed_config(), c.model, false);

    EXPECT_EQ(steps, std::vector<RouteStep>{c.step});
  }
}

TEST(Router, UnroutedModelsGoToTheDefaultProviderOfTheirEndpointWithoutFallback) {
  Config config = routed_config();
  config.default_provider = "lab";

  EXPECT_EQ(route_request(config, "mistral-large", false),
            (std::vector<RouteStep>{{"custom:lab", "mistral-large", false}}));
  EXPECT_EQ(route_request(config, "some-claude", true),
            (std::vector<RouteStep>{{"anthropic", "some-claude", false}}));
}

TEST(Router, AnEmptyModelFromAnOpenAiClientGoesToTheDefaultProvider) {
  EXPECT_EQ(route_request(Config{}, "", false), (std::vector<RouteStep>{{"openai", "", false}}));
}

TEST(Router, AnEmptyModelFromAnAnthropicClientGoesToTheDefaultAnthropicProvider) {
  Config config;
  config.default_anthropic_provider = "openrouter";

  EXPECT_EQ(route_request(config, "", true), (std::vector<RouteStep>{{"openrouter", "", false}}));
}

TEST(Router, StepsNamingUnknownProvidersAreSkipped) {
  Config config;
  config.routes.push_back(route("*", "nowhere", "", {{"groq", ""}}));

  EXPECT_EQ(route_request(config, "m", false), (std::vector<RouteStep>{{"groq", "m", false}}));
}

TEST(GlobMatch, MatchesTheWholeModelWithStarAndQuestionMark) {
  const struct {
    std::string_view pattern;
    std::string_view text;
    bool matches;
  } cases[] = {
      {"gpt-*", "gpt-4o", true},
      {"gpt-*", "gpt-", true},
      {"gpt-*", "xgpt-4o", false},
      {"*", "", true},
      {"*", "anything/at:all", true},
      {"", "", true},
      {"", "a", false},
      {"claude-?", "claude-3", true},
      {"claude-?", "claude-", false},
      {"claude-?", "claude-35", false},
      {"*-mini", "gpt-4o-mini", true},
      {"*o*i", "gpt-4o-mini", true},
      {"a*b*c", "aXbYbZc", true},
      {"a*b*c", "aXbYbZ", false},
      {"gpt-4o", "gpt-4o", true},
      {"gpt-4o", "GPT-4o", false},
      {"**", "x", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " ~ " + std::string(c.text));

    EXPECT_EQ(glob_match(c.pattern, c.text), c.matches);
  }
}

}  // namespace
}  // namespace credpool::config
