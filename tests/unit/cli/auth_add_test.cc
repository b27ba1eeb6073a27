#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kKey = "sk-test-aaaaaaaaaaaa1111";

TEST(AuthAdd, StoresTheKeyWithAGeneratedLabelAndPrintsItMasked) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Added openai-1 to openai (sk-...1111)\n");
  const auto rows = home.auth_json()["credential_pool"]["openai"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["label"], "openai-1");
  EXPECT_EQ(rows[0]["access_token"], kKey);
  EXPECT_EQ(rows[0]["source"], "manual");
}

TEST(AuthAdd, ReadsTheKeyFromStdinWithoutItsTrailingNewline) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", "-"}, std::string(kKey) + "\n");

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(home.auth_json()["credential_pool"]["openai"][0]["access_token"], kKey);
}

TEST(AuthAdd, GeneratesTheSmallestUnusedLabelNumber) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "openai-2"}).exit_code,
            0);

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", "sk-test-bbbbbbbbbbbb2222"});

  EXPECT_THAT(r.out, HasSubstr("Added openai-1 "));
}

TEST(AuthAdd, RefusesADuplicateLabel) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "work"}).exit_code, 0);

  const CliRun r = home.run(
      {"auth", "add", "openai", "--api-key", "sk-test-bbbbbbbbbbbb2222", "--label", "Work"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("work"));
  EXPECT_EQ(home.auth_json()["credential_pool"]["openai"].size(), 1u);
}

TEST(AuthAdd, RefusesAKeyAlreadyInThePoolNamingItsLabel) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "work"}).exit_code, 0);

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'work'"));
  EXPECT_THAT(r.err, Not(HasSubstr(kKey)));
}

TEST(AuthAdd, RefusesAKeyThatAnEnvRowAlreadyHolds) {
  CliHome home;
  home.set_env("OPENAI_API_KEY", kKey);

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("OPENAI_API_KEY"));
}

TEST(AuthAdd, RejectsAnUnknownProviderWithASuggestion) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "opnai", "--api-key", kKey});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown provider 'opnai'"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'openai'"));
}

TEST(AuthAdd, NormalisesAnAliasToItsPool) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "claude", "--api-key", "sk-ant-aaaaaaaaaaaa1111"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Added anthropic-1 to anthropic (sk-...1111)\n");
  EXPECT_EQ(home.auth_json()["credential_pool"]["anthropic"].size(), 1u);
}

TEST(AuthAdd, InsertsAtTheGivenPriority) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "a"}).exit_code, 0);

  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-test-bbbbbbbbbbbb2222", "--label",
                      "b", "--priority", "0"})
                .exit_code,
            0);

  const auto rows = home.auth_json()["credential_pool"]["openai"];
  const auto b = rows[0]["label"] == "b" ? rows[0] : rows[1];
  EXPECT_EQ(b["priority"], 0);
}

TEST(AuthAdd, WithoutAKeyOrATerminalIsAUsageError) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai"});

  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--api-key"));
}

TEST(AuthAdd, OAuthLoginSaysItIsNotYetSupported) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai-codex", "--type", "oauth"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not yet supported"));
}

}  // namespace
}  // namespace credpool::testing
