#include "config/config.h"

#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <unistd.h>

namespace credpool::config {
namespace {

using std::chrono::seconds;

// Writes config files into a fresh directory under the system temp dir, removed afterwards.
class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("credpool-config-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(std::string_view text) {
    const auto path = dir_ / "config.yaml";
    std::ofstream(path) << text;
    return path;
  }

  Result<Config> load(std::string_view text) { return Config::load(write(text), env_, &warnings_); }

  std::map<std::string, std::string> vars_;
  EnvLookup env_ = [this](const std::string& name) -> std::optional<std::string> {
    const auto it = vars_.find(name);
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::string> warnings_;
  std::filesystem::path dir_;
};

TEST_F(ConfigFile, MissingFileMeansDefaults) {
  const Result<Config> config = Config::load(dir_ / "absent.yaml", env_, &warnings_);

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen, "127.0.0.1:4000");
  EXPECT_EQ(config->store, "file");
  EXPECT_TRUE(config->client_keys.empty());
  EXPECT_EQ(config->default_provider, "openai");
  EXPECT_EQ(config->default_anthropic_provider, "anthropic");
  EXPECT_EQ(config->limits.max_body_bytes, 32u * 1024 * 1024);
  EXPECT_EQ(config->limits.max_header_bytes, 64u * 1024);
  EXPECT_EQ(config->limits.header_timeout, seconds(30));
  EXPECT_EQ(config->limits.client_idle_timeout, seconds(75));
  EXPECT_EQ(config->limits.max_connections, 4096u);
  EXPECT_EQ(config->limits.shutdown_grace, seconds(30));
  EXPECT_EQ(config->max_cooldown, seconds(2678400));
  EXPECT_EQ(config->timeouts.connect, seconds(10));
  EXPECT_EQ(config->timeouts.first_byte, seconds(600));
  EXPECT_EQ(config->timeouts.idle, seconds(300));
  EXPECT_EQ(config->redis.prefix, "credpool:");
  EXPECT_EQ(config->redis.timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(config->log_format, "text");
  EXPECT_TRUE(config->source.empty());
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ConfigFile, EmptyFileMeansDefaults) {
  const Result<Config> config = load("# nothing yet\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen, "127.0.0.1:4000");
  EXPECT_TRUE(config->routes.empty());
}

TEST_F(ConfigFile, ReadsEveryKey) {
  vars_["LAB_KEY"] = "lab-secret-123456";
  const Result<Config> config = load(R"(
listen: 0.0.0.0:8080
store: redis://127.0.0.1:6379/2
client_keys: [gw-key-1, gw-key-2]
default_provider: openrouter
default_anthropic_provider: claude
providers:
  openai: {base_url: "http://127.0.0.1:9000/v1/", cooldowns: {"429": 10}, timeouts: {connect: 3}}
  anthropic: {base_url: "http://127.0.0.1:9000"}
  openai-codex:
    oauth: {device_authorization_url: "https://a/device", token_url: "https://a/token", client_id: cid, scope: "openid offline"}
custom_providers:
  - {name: Lab, base_url: "http://127.0.0.1:9001/v1", api_key: "${LAB_KEY}", wire: openai}
  - {base_url: "http://10.0.0.5:7000", wire: anthropic}
credential_pool_strategies: {openai: least_used, lab: random}
cooldowns: {"429": 3600, "402": 3600, "401": 300, rate_limit: 120, sole: 60}
routes:
  - match: "gpt-*"
    provider: openai
    fallback: [{provider: openrouter, model: "openai/gpt-4o-mini"}, {provider: lab}]
  - {match: "claude-?", provider: anthropic, model: claude-x}
limits: {max_body_bytes: 1024, max_header_bytes: 2048, header_timeout: 5, client_idle_timeout: 9,
         max_connections: 10, shutdown_grace: 0}
max_cooldown: 86400
timeouts: {connect: 5, first_byte: 60, idle: 30}
tls: {ca_file: /etc/ca.pem}
redis: {prefix: "cp:", timeout_ms: 50}
log_format: json
)");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen, "0.0.0.0:8080");
  EXPECT_EQ(config->store, "redis://127.0.0.1:6379/2");
  ASSERT_EQ(config->client_keys.size(), 2u);
  EXPECT_EQ(config->client_keys[1].reveal(), "gw-key-2");
  EXPECT_EQ(config->default_provider, "openrouter");
  EXPECT_EQ(config->default_anthropic_provider, "anthropic");
  EXPECT_EQ(config->providers.at("openai").base_url, "http://127.0.0.1:9000/v1");
  EXPECT_EQ(config->providers.at("openai").cooldowns.at("429"), seconds(10));
  EXPECT_EQ(config->providers.at("openai").timeouts.connect, seconds(3));
  EXPECT_EQ(config->providers.at("anthropic").base_url, "http://127.0.0.1:9000");
  const auto& oauth = config->providers.at("openai-codex").oauth;
  ASSERT_TRUE(oauth.has_value());
  EXPECT_EQ(oauth->device_authorization_url, "https://a/device");
  EXPECT_EQ(oauth->token_url, "https://a/token");
  EXPECT_EQ(oauth->client_id, "cid");
  EXPECT_EQ(oauth->scope, "openid offline");
  ASSERT_EQ(config->custom_providers.size(), 2u);
  EXPECT_EQ(config->custom_providers[0].pool_key, "custom:lab");
  EXPECT_EQ(config->custom_providers[0].api_key.reveal(), "lab-secret-123456");
  EXPECT_EQ(config->custom_providers[0].wire, providers::Wire::OpenAI);
  EXPECT_EQ(config->custom_providers[1].pool_key, "custom:10.0.0.5");
  EXPECT_EQ(config->custom_providers[1].name, "10.0.0.5");  // unnamed: its host names it
  EXPECT_EQ(config->custom_providers[1].wire, providers::Wire::Anthropic);
  EXPECT_EQ(config->credential_pool_strategies.at("openai"), core::Strategy::LeastUsed);
  EXPECT_EQ(config->credential_pool_strategies.at("custom:lab"), core::Strategy::Random);
  EXPECT_EQ(config->cooldowns.at("429"), seconds(3600));
  EXPECT_EQ(config->cooldowns.at("rate_limit"), seconds(120));
  EXPECT_EQ(config->cooldowns.at("sole"), seconds(60));
  ASSERT_EQ(config->routes.size(), 2u);
  EXPECT_EQ(config->routes[0].match, "gpt-*");
  EXPECT_EQ(config->routes[0].provider, "openai");
  EXPECT_EQ(config->routes[0].line, 18);
  ASSERT_EQ(config->routes[0].fallback.size(), 2u);
  EXPECT_EQ(config->routes[0].fallback[0].provider, "openrouter");
  EXPECT_EQ(config->routes[0].fallback[0].model, "openai/gpt-4o-mini");
  EXPECT_EQ(config->routes[0].fallback[1].model, "");
  EXPECT_EQ(config->routes[1].model, "claude-x");
  EXPECT_EQ(config->limits.max_body_bytes, 1024u);
  EXPECT_EQ(config->limits.max_header_bytes, 2048u);
  EXPECT_EQ(config->limits.header_timeout, seconds(5));
  EXPECT_EQ(config->limits.client_idle_timeout, seconds(9));
  EXPECT_EQ(config->limits.max_connections, 10u);
  EXPECT_EQ(config->limits.shutdown_grace, seconds(0));
  EXPECT_EQ(config->max_cooldown, seconds(86400));
  EXPECT_EQ(config->timeouts.connect, seconds(5));
  EXPECT_EQ(config->timeouts.first_byte, seconds(60));
  EXPECT_EQ(config->timeouts.idle, seconds(30));
  EXPECT_EQ(config->tls_ca_file, "/etc/ca.pem");
  EXPECT_EQ(config->redis.prefix, "cp:");
  EXPECT_EQ(config->redis.timeout, std::chrono::milliseconds(50));
  EXPECT_EQ(config->log_format, "json");
  EXPECT_EQ(config->source, dir_ / "config.yaml");
  EXPECT_TRUE(warnings_.empty()) << warnings_.front();
}

TEST_F(ConfigFile, ExpandsVariablesInsideLongerStrings) {
  vars_["PORT"] = "9000";

  const Result<Config> config =
      load("providers:\n  openai: {base_url: \"http://127.0.0.1:${PORT}/v1\"}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->providers.at("openai").base_url, "http://127.0.0.1:9000/v1");
}

TEST_F(ConfigFile, UnsetVariableIsAnErrorNamingTheVariableTheKeyAndTheLine) {
  const Result<Config> config = load(
      "listen: 127.0.0.1:4000\n"
      "custom_providers:\n"
      "  - {name: lab, base_url: \"http://x/v1\", api_key: \"${LAB_KEY}\"}\n");

  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_NE(message.find("config.yaml:3"), std::string::npos) << message;
  EXPECT_NE(message.find("custom_providers[0].api_key"), std::string::npos) << message;
  EXPECT_NE(message.find("LAB_KEY"), std::string::npos) << message;
}

TEST_F(ConfigFile, SyntaxErrorNamesTheFileAndLine) {
  const Result<Config> config = load("listen: 127.0.0.1:4000\nroutes:\n  - {match: \"a\"\n");

  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::Corrupt);
  EXPECT_NE(config.error().message.find((dir_ / "config.yaml").string() + ":"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigFile, BadValuesNameTheFileLineAndKey) {
  const struct {
    std::string_view yaml;
    std::string_view where;  // "line: key"
  } cases[] = {
      {"listen: nowhere\n", ":1: listen"},
      {"\nstore: mysql://x\n", ":2: store"},
      {"client_keys: {a: b}\n", ":1: client_keys"},
      {"cooldowns: {\"429\": soon}\n", ":1: cooldowns.429"},
      {"cooldowns: {teapot: 5}\n", ":1: cooldowns.teapot"},
      {"credential_pool_strategies: {openai: fastest}\n", ":1: credential_pool_strategies.openai"},
      {"limits: {max_body_bytes: -1}\n", ":1: limits.max_body_bytes"},
      {"limits: {max_body_bytes: 0}\n", ":1: limits.max_body_bytes"},
      {"limits:\n  max_header_bytes: 10\n", ":2: limits.max_header_bytes"},
      {"limits: {header_timeout: 0}\n", ":1: limits.header_timeout"},
      {"limits: {client_idle_timeout: soon}\n", ":1: limits.client_idle_timeout"},
      {"limits: {max_connections: 0}\n", ":1: limits.max_connections"},
      {"limits: {shutdown_grace: -5}\n", ":1: limits.shutdown_grace"},
      {"limits: 5\n", ":1: limits"},
      {"\nmax_cooldown: 0\n", ":2: max_cooldown"},
      {"max_cooldown: [1]\n", ":1: max_cooldown"},
      {"timeouts:\n  connect: 0\n", ":2: timeouts.connect"},
      {"redis: {timeout_ms: abc}\n", ":1: redis.timeout_ms"},
      {"log_format: xml\n", ":1: log_format"},
      {"custom_providers:\n  - {name: lab}\n", ":2: custom_providers[0]"},
      {"custom_providers:\n  - {name: lab, base_url: u, wire: grpc}\n",
       ":2: custom_providers[0].wire"},
      {"custom_providers: [{name: a, base_url: u}, {name: A, base_url: v}]\n",
       ":1: custom_providers[1]"},
      {"routes:\n  - {provider: openai}\n", ":2: routes[0].match"},
      {"routes:\n  - {match: x}\n", ":2: routes[0].provider"},
      {"providers:\n  openai: {timeouts: {idle: x}}\n", ":2: providers.openai.timeouts.idle"},
      {"routes: 5\n", ":1: routes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);

    const Result<Config> config = load(c.yaml);

    ASSERT_FALSE(config);
    const std::string expected = (dir_ / "config.yaml").string() + std::string(c.where);
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << config.error().message;
  }
}

TEST_F(ConfigFile, LimitsAcceptTheirBounds) {
  const Result<Config> config = load(
      "limits: {max_body_bytes: 1, max_header_bytes: 1024, header_timeout: 1, "
      "client_idle_timeout: 1, max_connections: 1}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->limits.max_body_bytes, 1u);
  EXPECT_EQ(config->limits.max_header_bytes, 1024u);
  EXPECT_EQ(config->limits.max_connections, 1u);
}

TEST_F(ConfigFile, AnUnknownLimitWarnsAndTheOthersStillApply) {
  const Result<Config> config = load("limits: {max_body_bytes: 2048, max_bananas: 3}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->limits.max_body_bytes, 2048u);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find(":1: unknown key 'limits.max_bananas'"), std::string::npos)
      << warnings_[0];
}

TEST_F(ConfigFile, ErrorsNeverQuoteSecretValues) {
  const Result<Config> config = load(
      "custom_providers:\n  - {name: lab, base_url: u, api_key: [sk-sentinel-secret-value]}\n");

  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("sentinel"), std::string::npos) << config.error().message;
}

TEST_F(ConfigFile, UnknownKeysWarnWithTheirLineAndAreIgnored) {
  const Result<Config> config = load(
      "model: {provider: custom}\n"
      "listen: 127.0.0.1:5000\n"
      "providers:\n"
      "  openai: {base_url: \"http://a/v1\", colour: red}\n"
      "  hermes-only-provider: {x: 1}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen, "127.0.0.1:5000");
  ASSERT_EQ(warnings_.size(), 3u);
  EXPECT_NE(warnings_[0].find(":1: unknown key 'model'"), std::string::npos) << warnings_[0];
  EXPECT_NE(warnings_[1].find(":4: unknown key 'providers.openai.colour'"), std::string::npos)
      << warnings_[1];
  EXPECT_NE(warnings_[2].find(":5: unknown key 'providers.hermes-only-provider'"),
            std::string::npos)
      << warnings_[2];
}

TEST_F(ConfigFile, ProviderSettingsAndStrategiesAreKeyedByPoolKey) {
  const Result<Config> config = load(
      "providers: {claude: {base_url: \"http://a\"}}\n"
      "credential_pool_strategies: {codex: round-robin}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->providers.count("anthropic"), 1u);
  EXPECT_EQ(config->credential_pool_strategies.at("openai-codex"), core::Strategy::RoundRobin);
}

TEST_F(ConfigFile, CooldownReasonKeysAreNormalised) {
  const Result<Config> config = load("cooldowns: {billing: 30, \"503\": 1}\n");

  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->cooldowns.at("quota"), seconds(30));
  EXPECT_EQ(config->cooldowns.at("503"), seconds(1));
}

TEST_F(ConfigFile, ASingleFallbackNeedsNoList) {
  const Result<Config> config =
      load("routes:\n  - {match: \"*\", provider: openai, fallback: openrouter}\n");

  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->routes[0].fallback.size(), 1u);
  EXPECT_EQ(config->routes[0].fallback[0].provider, "openrouter");
}

TEST_F(ConfigFile, UnreadablePathIsAnIoError) {
  const Result<Config> config = Config::load(dir_, env_, &warnings_);

  EXPECT_FALSE(config);
}

}  // namespace
}  // namespace credpool::config
