#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;

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

}  // namespace
}  // namespace credpool::testing
