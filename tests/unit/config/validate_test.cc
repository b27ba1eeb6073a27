#include <gtest/gtest.h>

#include "config/config.h"

namespace credpool::config {
namespace {

using std::chrono::seconds;

Route route(std::string match, std::vector<std::string> providers, int line = 0) {
  Route out;
  out.match = std::move(match);
  out.provider = providers.front();
  for (std::size_t i = 1; i < providers.size(); ++i) out.fallback.push_back({providers[i], ""});
  out.line = line;
  return out;
}

Config with_custom_lab(providers::Wire wire) {
  Config config;
  config.custom_providers.push_back(CustomProvider{.name = "Lab",
                                                   .pool_key = "custom:lab",
                                                   .base_url = "http://127.0.0.1:9001/v1",
                                                   .api_key = {},
                                                   .wire = wire});
  return config;
}

TEST(Validate, DefaultsAreValid) {
  const Result<void> result = validate(Config{});

  EXPECT_TRUE(result) << result.error().message;
}

TEST(Validate, RouteToAnUnknownProviderIsAnErrorNamingTheRouteAndLine) {
  Config config;
  config.source = "/home/u/.credpool/config.yaml";
  config.routes.push_back(route("gpt-*", {"openai", "opnrouter"}, 7));

  const Result<void> result = validate(config);

  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("config.yaml:7: routes[0] (match 'gpt-*')"),
            std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("opnrouter"), std::string::npos);
}

TEST(Validate, RoutesMayNameAliasesAndCustomProviders) {
  Config config = with_custom_lab(providers::Wire::OpenAI);
  config.routes.push_back(route("*", {"or", "LAB", "custom:lab"}));

  const Result<void> result = validate(config);

  EXPECT_TRUE(result) << result.error().message;
}

TEST(Validate, AFallbackChainMixingWiresIsAnErrorNamingTheRoute) {
  Config config = with_custom_lab(providers::Wire::OpenAI);
  config.routes.push_back(route("claude-*", {"claude", "lab"}));

  const Result<void> result = validate(config);

  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("routes[0] (match 'claude-*')"), std::string::npos)
      << result.error().message;
  EXPECT_NE(result.error().message.find("mixes wires"), std::string::npos);
}

TEST(Validate, AnAnthropicWireCustomProviderCanBackUpAnthropic) {
  Config config = with_custom_lab(providers::Wire::Anthropic);
  config.routes.push_back(route("claude-*", {"anthropic", "lab"}));

  EXPECT_TRUE(validate(config));
}

TEST(Validate, UnknownDefaultProviderIsAnError) {
  Config config;
  config.default_provider = "nowhere";

  const Result<void> result = validate(config);

  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("default_provider"), std::string::npos);
}

TEST(Validate, ANonLoopbackListenNeedsClientKeys) {
  Config config;
  config.listen = "0.0.0.0:4000";

  const Result<void> without = validate(config);
  config.client_keys.emplace_back("gw-key-1");
  const Result<void> with = validate(config);

  ASSERT_FALSE(without);
  EXPECT_NE(without.error().message.find("client_keys"), std::string::npos);
  EXPECT_TRUE(with);
}

TEST(Validate, LoopbackListenNeedsNoClientKeys) {
  for (const char* listen : {"127.0.0.1:4000", "127.8.9.1:0", "localhost:80", "[::1]:4000"}) {
    SCOPED_TRACE(listen);
    Config config;
    config.listen = listen;

    const Result<void> result = validate(config);

    EXPECT_TRUE(result) << result.error().message;
  }
}

TEST(Validate, UnparsableListenIsAnError) {
  Config config;
  config.listen = "localhost";

  const Result<void> result = validate(config);

  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("listen 'localhost'"), std::string::npos);
}

TEST(ParseListen, ReadsHostAndPort) {
  const struct {
    std::string_view input;
    std::optional<std::string> host;
    std::uint16_t port;
  } cases[] = {
      {"127.0.0.1:4000", "127.0.0.1", 4000},
      {"localhost:0", "localhost", 0},
      {"[::1]:8080", "::1", 8080},
      {"0.0.0.0:65535", "0.0.0.0", 65535},
      {"127.0.0.1", std::nullopt, 0},
      {"127.0.0.1:", std::nullopt, 0},
      {"127.0.0.1:65536", std::nullopt, 0},
      {"::1:4000", std::nullopt, 0},
      {":4000", std::nullopt, 0},
      {"host:40x0", std::nullopt, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);

    const Result<HostPort> parsed = parse_listen(c.input);

    ASSERT_EQ(parsed.has_value(), c.host.has_value());
    if (parsed) {
      EXPECT_EQ(parsed->host, *c.host);
      EXPECT_EQ(parsed->port, c.port);
    }
  }
}

TEST(IsLoopbackHost, AcceptsOnlyLoopbackAddresses) {
  const struct {
    std::string_view host;
    bool loopback;
  } cases[] = {
      {"127.0.0.1", true},
      {"127.255.0.9", true},
      {"localhost", true},
      {"LocalHost", true},
      {"::1", true},
      {"[::1]", true},
      {"::ffff:127.0.0.1", true},
      {"0.0.0.0", false},
      {"::", false},
      {"10.0.0.1", false},
      {"128.0.0.1", false},
      {"example.com", false},
      {"", false},
      {"localhost.evil.com", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.host);

    EXPECT_EQ(is_loopback_host(c.host), c.loopback);
  }
}

TEST(EffectiveBaseUrl, PrefersTheEntryThenConfigThenTheCatalogue) {
  Config config;
  config.providers["openai"].base_url = "http://127.0.0.1:9000/v1";
  const providers::ProviderInfo& openai = *providers::find_provider("openai");

  EXPECT_EQ(effective_base_url(config, openai, "http://proxy/v1/"), "http://proxy/v1");
  EXPECT_EQ(effective_base_url(config, openai, ""), "http://127.0.0.1:9000/v1");
  EXPECT_EQ(effective_base_url(config, openai, "https://api.openai.com/v1"),
            "http://127.0.0.1:9000/v1");
  EXPECT_EQ(effective_base_url(Config{}, openai, ""), "https://api.openai.com/v1");
}

TEST(LookupProvider, OverlaysCustomProvidersOnTheCatalogue) {
  const Config config = with_custom_lab(providers::Wire::Anthropic);

  const auto lab = lookup_provider(config, "Lab");
  const auto claude = lookup_provider(config, "claude");

  ASSERT_TRUE(lab.has_value());
  EXPECT_EQ(lab->id, "custom:lab");
  EXPECT_EQ(lab->wire, providers::Wire::Anthropic);
  EXPECT_EQ(lab->auth, providers::AuthHeader::XApiKey);
  EXPECT_EQ(lab->base_url, "http://127.0.0.1:9001/v1");
  ASSERT_TRUE(claude.has_value());
  EXPECT_EQ(claude->id, "anthropic");
  EXPECT_FALSE(lookup_provider(config, "custom:other").has_value());
  EXPECT_EQ(all_providers(config).size(), providers::builtin_providers().size() + 1);
}

TEST(ResolvePoolKey, MapsIdsAliasesAndCustomNames) {
  const Config config = with_custom_lab(providers::Wire::OpenAI);

  EXPECT_EQ(resolve_pool_key(config, "codex"), "openai-codex");
  EXPECT_EQ(resolve_pool_key(config, " lab "), "custom:lab");
  EXPECT_EQ(resolve_pool_key(config, "custom:LAB"), "custom:lab");
  EXPECT_EQ(resolve_pool_key(config, "nope"), std::nullopt);
}

TEST(PerProviderSettings, OverlayTheGlobalTables) {
  Config config;
  config.cooldowns = {{"429", seconds(3600)}, {"401", seconds(300)}};
  config.providers["openai"].cooldowns = {{"429", seconds(5)}};
  config.providers["openai"].timeouts.first_byte = seconds(30);
  config.credential_pool_strategies["openai"] = core::Strategy::Random;

  const Cooldowns cooldowns = cooldowns_for(config, "openai");
  const Timeouts timeouts = timeouts_for(config, "openai");

  EXPECT_EQ(cooldowns.at("429"), seconds(5));
  EXPECT_EQ(cooldowns.at("401"), seconds(300));
  EXPECT_EQ(cooldowns_for(config, "groq").at("429"), seconds(3600));
  EXPECT_EQ(timeouts.first_byte, seconds(30));
  EXPECT_EQ(timeouts.connect, seconds(10));
  EXPECT_EQ(strategy_override(config, "openai"), core::Strategy::Random);
  EXPECT_EQ(strategy_override(config, "groq"), std::nullopt);
}

}  // namespace
}  // namespace credpool::config
