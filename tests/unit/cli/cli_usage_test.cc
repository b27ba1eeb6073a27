#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliUsage, AnUnknownFlagExitsTwoNamingIt) {
  CliHome home;

  const CliRun r = home.run({"auth", "list", "--bogus"});

  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bogus"));
}

TEST(CliUsage, AMissingArgumentExitsTwo) {
  CliHome home;

  const CliRun r = home.run({"auth", "remove", "openai"});

  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("target"));
}

TEST(CliUsage, AFlagWithoutItsValueExitsTwo) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key"});

  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--api-key"));
}

TEST(CliUsage, AuthAloneWithoutATerminalPrintsUsageAndExitsTwo) {
  CliHome home;

  const CliRun r = home.run({"auth"});

  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("list"));
  EXPECT_TRUE(r.out.empty());
}

TEST(CliUsage, NoCommandExitsTwo) {
  CliHome home;

  EXPECT_EQ(home.run({}).exit_code, 2);
}

TEST(CliUsage, HelpExitsZero) {
  CliHome home;

  const CliRun r = home.run({"--help"});

  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("auth"));
}

TEST(CliUsage, TheGlobalConfigFlagIsAcceptedAfterTheCommand) {
  CliHome home;
  home.write_file("other.yaml", "credential_pool_strategies:\n  openai: least_used\n");

  const CliRun r =
      home.run({"auth", "strategy", "openai", "--config", (home.dir() / "other.yaml").string()});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "least_used\n");
}

TEST(CliUsage, ABadConfigExitsOneWithItsMessage) {
  CliHome home;
  home.write_file("config.yaml", "listen: [unterminated\n");

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("config.yaml"));
}

TEST(CliUsage, ExplainWithoutAJournalSaysNoEventsRecorded) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111"}).exit_code,
            0);

  const CliRun r = home.run({"explain", "openai", "1"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok"));
  EXPECT_THAT(r.out, HasSubstr("no events recorded"));
}

TEST(CliUsage, ServeRefusesANonLoopbackListenWithoutClientKeys) {
  CliHome home;

  const CliRun r = home.run({"serve", "--listen", "0.0.0.0:0"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("client_keys"));
}

TEST(CliUsage, StatusJsonAddsLastUseFields) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111"}).exit_code,
            0);

  const CliRun r = home.run({"status", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto row = nlohmann::json::parse(r.out)["openai"]["credentials"][0];
  EXPECT_TRUE(row.contains("last_used_at"));
  EXPECT_TRUE(row.contains("last_failure_provider"));
}

TEST(CliUsage, AConfigFileNamedWithTheFlagMustExist) {
  CliHome home;
  const std::string missing = (home.dir() / "nonexistent" / "c.yaml").string();

  const CliRun r = home.run({"--config", missing, "auth", "list"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(missing));
}

TEST(CliUsage, AMissingDefaultConfigMeansDefaults) {
  CliHome home;

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// DESIGN.md: exit 2 only for command-line syntax. A value CLI11 cannot convert to the option's
// type is malformed syntax; a well-formed value that means nothing valid is a failure (1).
TEST(CliUsage, AnUnconvertibleNumberIsSyntaxButAWrongValueIsAFailure) {
  CliHome home;
  struct Case {
    std::vector<std::string> args;
    int exit_code;
  };
  const Case cases[] = {
      {{"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111", "--priority", "abc"}, 2},
      {{"auth", "priority", "openai", "1", "abc"}, 2},
      {{"serve", "--listen", "nonsense"}, 1},
      {{"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111", "--type", "bogus"}, 1},
      {{"auth", "strategy", "openai", "bogus"}, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args.back());
    EXPECT_EQ(home.run(c.args).exit_code, c.exit_code);
  }
}

TEST(CliUsage, StatusWatchWithoutATerminalPrintsNoScreenControlCodes) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111"}).exit_code,
            0);

  const CliRun r = home.run_until_output({"status", "--watch"}, "sk-...1111");

  EXPECT_THAT(r.out, HasSubstr("openai"));
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
}

TEST(CliUsage, ARedisStoreIsRefusedRatherThanSilentlyUsingTheFile) {
  CliHome home;
  home.write_file("config.yaml", "store: redis://127.0.0.1:6379/0\n");

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("Redis store is not available"));
}

TEST(CliUsage, ExplainShowsTheJournalEventsOfThatCredentialOnly) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-test-aaaaaaaaaaaa1111"}).exit_code,
            0);
  const std::string id = home.auth_json()["credential_pool"]["openai"][0]["id"];
  home.write_file(
      "events.jsonl",
      R"({"ts":1800000000,"event":"mark","provider":"openai","credential_id":")" + id +
          R"(","label":"openai-1","status":429,"reason":"rate_limit",)"
          R"("error_code":"rate_limit_exceeded","message":"Rate limit reached",)"
          R"("resets_at":1800000120,"reset_source":"provider"})"
          "\n"
          R"({"ts":1800000001,"event":"mark","provider":"openai","credential_id":"other",)"
          R"("reason":"quota"})"
          "\n");

  const CliRun r = home.run({"explain", "openai", "1"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("mark 429 rate_limit rate_limit_exceeded until 2027-01-15"));
  EXPECT_THAT(r.out, HasSubstr("Rate limit reached"));
  EXPECT_THAT(r.out, Not(HasSubstr("quota")));
}

}  // namespace
}  // namespace credpool::testing
