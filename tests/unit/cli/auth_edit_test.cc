#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Three openai rows: ids a1 b2 c3, labels "alpha", "2", "gamma"; c3 is rate-limited.
void write_three(const CliHome& home) {
  const long long now = static_cast<long long>(std::time(nullptr));
  home.write_file("auth.json", fmt::format(R"({{"version": 1, "credential_pool": {{"openai": [
    {{"id": "a1", "label": "alpha", "priority": 0, "source": "manual", "auth_type": "api_key",
      "access_token": "sk-test-aaaaaaaaaaaa1111"}},
    {{"id": "b2", "label": "2", "priority": 1, "source": "manual", "auth_type": "api_key",
      "access_token": "sk-test-bbbbbbbbbbbb2222"}},
    {{"id": "c3", "label": "gamma", "priority": 2, "source": "manual", "auth_type": "api_key",
      "access_token": "sk-test-cccccccccccc3333", "last_status": "exhausted",
      "last_status_at": {}, "last_error_code": 429, "last_error_reset_at": {},
      "failure_reason": "rate_limit",
      "model_cooldowns": {{"gpt-x": {}}}}}]}}}})",
                                           now, now + 600, now + 600));
}

std::vector<std::string> labels(const CliHome& home) {
  std::vector<std::pair<int, std::string>> rows;
  const nlohmann::json file = home.auth_json();
  for (const auto& r : file["credential_pool"]["openai"]) {
    rows.emplace_back(r["priority"].get<int>(), r["label"].get<std::string>());
  }
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  for (auto& [p, l] : rows) out.push_back(l);
  return out;
}

TEST(AuthRemove, RemovesById) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", "A1"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Removed alpha"));
  EXPECT_EQ(labels(home), (std::vector<std::string>{"2", "gamma"}));
}

TEST(AuthRemove, RemovesByLabelTrimmedAndCaseInsensitive) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", " Gamma "});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(labels(home), (std::vector<std::string>{"alpha", "2"}));
}

TEST(AuthRemove, RemovesByOneBasedIndex) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", "3"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(labels(home), (std::vector<std::string>{"alpha", "2"}));
}

TEST(AuthRemove, ANumericLabelBeatsTheIndex) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", "2"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(labels(home), (std::vector<std::string>{"alpha", "gamma"}));
}

TEST(AuthRemove, AnUnknownTargetFailsAndChangesNothing) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", "nope"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope"));
  EXPECT_EQ(labels(home).size(), 3u);
}

TEST(AuthReset, ClearsOneTarget) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "reset", "openai", "gamma"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(home.run({"auth", "list", "openai", "--json"}).out);
  EXPECT_EQ(j["openai"]["credentials"][2]["state"], "ok");
  EXPECT_TRUE(j["openai"]["credentials"][2]["model_cooldowns"].empty());
}

TEST(AuthReset, ClearsEveryRowWithoutATarget) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "reset", "openai"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Reset status on 1 openai credential"));
  const auto j = nlohmann::json::parse(home.run({"auth", "list", "openai", "--json"}).out);
  for (const auto& row : j["openai"]["credentials"]) EXPECT_EQ(row["state"], "ok");
}

TEST(AuthStrategy, PrintsTheCurrentStrategy) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "strategy", "openai"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "fill_first\n");
}

TEST(AuthStrategy, SetsTheStrategyInConfigYamlNotAuthJson) {
  CliHome home;
  write_three(home);
  const std::string auth_before = home.read_file("auth.json");

  const CliRun r = home.run({"auth", "strategy", "openai", "round_robin"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(home.read_file("config.yaml"), "credential_pool_strategies:\n  openai: round_robin\n");
  EXPECT_FALSE(home.auth_json().contains("credential_pool_strategies"));
  EXPECT_EQ(home.auth_json()["credential_pool"],
            nlohmann::json::parse(auth_before)["credential_pool"]);
  EXPECT_EQ(home.run({"auth", "strategy", "openai"}).out, "round_robin\n");
}

TEST(AuthStrategy, ChangesOnlyThatKeyOfAnExistingConfigKeepingItsComments) {
  CliHome home;
  write_three(home);
  home.write_file("config.yaml",
                  "# mine\nlisten: 127.0.0.1:4000   # loopback\n"
                  "credential_pool_strategies:\n  openai: least_used  # was\n  groq: random\n");

  const CliRun r = home.run({"auth", "strategy", "openai", "random"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(home.read_file("config.yaml"),
            "# mine\nlisten: 127.0.0.1:4000   # loopback\n"
            "credential_pool_strategies:\n  openai: random  # was\n  groq: random\n");
  EXPECT_EQ(home.run({"auth", "strategy", "openai"}).out, "random\n");
}

TEST(AuthStrategy, ConfigBeatsALegacyAuthJsonStrategyWhichBeatsTheDefault) {
  CliHome home;
  home.write_file("auth.json", R"({"credential_pool": {"openai": [], "groq": []},
    "credential_pool_strategies": {"openai": "random", "groq": "least_used"}})");
  home.write_file("config.yaml", "credential_pool_strategies:\n  openai: round_robin\n");

  EXPECT_EQ(home.run({"auth", "strategy", "openai"}).out, "round_robin\n");
  EXPECT_EQ(home.run({"auth", "strategy", "groq"}).out, "least_used\n");
  EXPECT_EQ(home.run({"auth", "strategy", "mistral"}).out, "fill_first\n");
}

TEST(AuthStrategy, RejectsAnUnknownName) {
  CliHome home;

  const CliRun r = home.run({"auth", "strategy", "openai", "fastest"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("fastest"));
}

TEST(AuthPriority, MovesATargetAndShiftsTheOthers) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "priority", "openai", "gamma", "0"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(labels(home), (std::vector<std::string>{"gamma", "alpha", "2"}));
}

TEST(AuthPriority, ClampsThePosition) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "priority", "openai", "alpha", "99"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(labels(home), (std::vector<std::string>{"2", "gamma", "alpha"}));
}

TEST(AuthToken, PrintsOnlyTheNextPicksTokenWithoutCountingAUse) {
  CliHome home;
  write_three(home);
  ASSERT_EQ(home.run({"auth", "strategy", "openai", "round_robin"}).exit_code, 0);
  const std::string before = home.read_file("auth.json");

  const CliRun first = home.run({"auth", "token", "openai"});
  const CliRun second = home.run({"auth", "token", "openai"});

  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "sk-test-aaaaaaaaaaaa1111\n");
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(home.read_file("auth.json"), before);
}

TEST(AuthToken, PrintsTheTargetsToken) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "token", "openai", "2"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sk-test-bbbbbbbbbbbb2222\n");
}

TEST(AuthRefresh, RefusesAnApiKey) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "refresh", "openai", "alpha"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not a refreshable OAuth credential"));
}

TEST(AuthRemove, ANoCredentialErrorNamesThePoolOnce) {
  CliHome home;
  write_three(home);

  const CliRun r = home.run({"auth", "remove", "openai", "nope"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no credential 'nope' in pool openai (labels: alpha, 2, gamma)"));
  EXPECT_THAT(r.err, Not(HasSubstr("(pool openai)")));
}

}  // namespace
}  // namespace credpool::testing
