#include "config/strategy_writer.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace credpool::config {
namespace {

struct Case {
  const char* name;
  const char* before;
  const char* pool;
  const char* after;
};

TEST(StrategyWriter, ChangesOnlyThePoolsKeyAndKeepsEveryOtherByte) {
  const Case cases[] = {
      {"no file", "", "openai", "credential_pool_strategies:\n  openai: least_used\n"},
      {"no section, no final newline", "listen: 127.0.0.1:4000  # here", "openai",
       "listen: 127.0.0.1:4000  # here\ncredential_pool_strategies:\n  openai: least_used\n"},
      {"block, replaced in place with its comment",
       "# top\ncredential_pool_strategies:   # strategies\n  openai: fill_first   # mine\n"
       "  anthropic: random\nroutes: []\n",
       "openai",
       "# top\ncredential_pool_strategies:   # strategies\n  openai: least_used   # mine\n"
       "  anthropic: random\nroutes: []\n"},
      {"block, appended after the last entry",
       "credential_pool_strategies:\n    anthropic: random\n\n# trailing\nlisten: x:1\n", "openai",
       "credential_pool_strategies:\n    anthropic: random\n    openai: least_used\n\n"
       "# trailing\nlisten: x:1\n"},
      {"quoted custom key matched", "credential_pool_strategies:\n  \"custom:lab\": random\n",
       "custom:lab", "credential_pool_strategies:\n  \"custom:lab\": least_used\n"},
      {"custom key added quoted", "credential_pool_strategies:\n  openai: random\n", "custom:lab",
       "credential_pool_strategies:\n  openai: random\n  \"custom:lab\": least_used\n"},
      {"flow, replaced", "credential_pool_strategies: {openai: random, anthropic: random} # c\n",
       "openai", "credential_pool_strategies: {openai: least_used, anthropic: random} # c\n"},
      {"flow, appended", "credential_pool_strategies: {anthropic: random}\n", "openai",
       "credential_pool_strategies: {anthropic: random, openai: least_used}\n"},
      {"empty flow", "credential_pool_strategies: {}\n", "openai",
       "credential_pool_strategies: {openai: least_used}\n"},
      {"null section", "credential_pool_strategies: null # none yet\nlisten: a:1\n", "openai",
       "credential_pool_strategies:  # none yet\n  openai: least_used\nlisten: a:1\n"},
      {"CRLF kept", "listen: a:1\r\ncredential_pool_strategies:\r\n  openai: random\r\n", "openai",
       "listen: a:1\r\ncredential_pool_strategies:\r\n  openai: least_used\r\n"},
      {"nested key of another section not matched", "pools:\n  openai: {max_concurrent: 2}\n",
       "openai",
       "pools:\n  openai: {max_concurrent: 2}\ncredential_pool_strategies:\n  openai: "
       "least_used\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);

    const Result<std::string> out = set_pool_strategy(c.before, c.pool, "least_used");

    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(*out, c.after);
  }
}

TEST(StrategyWriter, TheResultParsesWithTheNewStrategy) {
  const std::string before =
      "# Hermes config\nmodel: gpt-5\ncredential_pool_strategies:\n  openai-api: round_robin\n";

  const Result<std::string> out = set_pool_strategy(before, "anthropic", "random");

  ASSERT_TRUE(out);
  const Result<Config> config = Config::parse(*out, "config.yaml", {}, nullptr);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->credential_pool_strategies.at("anthropic"), core::Strategy::Random);
}

TEST(StrategyWriter, RefusesAFormItCannotEditSafely) {
  for (const char* text : {"credential_pool_strategies: {openai: random,\n  x: y}\n",
                           "credential_pool_strategies: *defaults\n",
                           "credential_pool_strategies:\n  openai: *fast\n"}) {
    SCOPED_TRACE(text);

    const Result<std::string> out = set_pool_strategy(text, "openai", "random");

    EXPECT_FALSE(out);
  }
}

}  // namespace
}  // namespace credpool::config
