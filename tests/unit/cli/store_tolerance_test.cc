// The real binary against homes another tool (Hermes Agent) also writes (issue #7 §5).
#include <ctime>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

long long now_epoch() { return static_cast<long long>(std::time(nullptr)); }

std::string manual_row(const std::string& id, const std::string& label, int priority,
                       const std::string& extra = "") {
  return fmt::format(
      R"({{"id": "{}", "label": "{}", "auth_type": "api_key", "priority": {}, "source": "manual",
          "access_token": "sk-test-{}-0123456789abcdef"{}}})",
      id, label, priority, id, extra.empty() ? "" : ", " + extra);
}

void write_pool(const CliHome& home, const std::string& pool, const std::vector<std::string>& rows,
                const std::string& top_extra = "") {
  home.write_file("auth.json",
                  fmt::format(R"({{"version": 1, "credential_pool": {{"{}": [{}]}}{}}})", pool,
                              fmt::join(rows, ","), top_extra.empty() ? "" : ", " + top_extra));
}

json credentials(const CliHome& home, const std::string& pool) {
  const CliRun r = home.run({"auth", "list", pool, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  return j.begin().value()["credentials"];
}

TEST(StoreTolerance, CaseVariantLabelsListAndRemoveById) {
  CliHome home;
  write_pool(home, "openai", {manual_row("a1", "Work", 0), manual_row("b2", "work", 1)});

  const CliRun list = home.run({"auth", "list"});
  const CliRun removed = home.run({"auth", "remove", "openai", "b2"});

  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("openai (2 credentials"));
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(home.auth_json()["credential_pool"]["openai"].size(), 1U);
}

TEST(StoreTolerance, AnAmbiguousLabelExitsOneNamingTheCandidates) {
  CliHome home;
  write_pool(home, "openai", {manual_row("a1", "Work", 0), manual_row("b2", "work", 1)});
  const std::string before = home.read_file("auth.json");

  const CliRun r = home.run({"auth", "remove", "openai", "WORK"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("#1 id a1"));
  EXPECT_THAT(r.err, HasSubstr("#2 id b2"));
  EXPECT_EQ(home.read_file("auth.json"), before);
}

TEST(StoreTolerance, SixConcurrentAddsOfOneLabelMakeExactlyOneRow) {
  CliHome home;
  std::vector<pid_t> children;
  for (int i = 0; i < 6; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const CliRun r = home.run({"auth", "add", "openai", "--label", "same", "--api-key",
                                 fmt::format("sk-race-{}-0123456789abcdef", i)});
      ::_exit(r.exit_code);
    }
    children.push_back(pid);
  }
  int succeeded = 0;
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++succeeded;
  }

  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(home.auth_json()["credential_pool"]["openai"].size(), 1U);
}

TEST(StoreTolerance, ARemovedEnvRowStaysRemovedAndAddClearsTheSuppression) {
  CliHome home;
  home.set_env("OPENAI_API_KEY", "sk-env-0123456789abcdef");
  ASSERT_EQ(home.run({"auth", "list"}).exit_code, 0);

  const CliRun removed = home.run({"auth", "remove", "openai", "OPENAI_API_KEY"});
  ASSERT_EQ(home.run({"auth", "list"}).exit_code, 0);
  const json after_list = home.auth_json();
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-other-0123456789abcdef"}).exit_code,
            0);

  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(after_list["credential_pool"]["openai"].size(), 0U);
  EXPECT_EQ(after_list["suppressed_sources"]["openai"], json::array({"env:OPENAI_API_KEY"}));
  EXPECT_FALSE(home.auth_json()["suppressed_sources"].contains("openai"));
}

TEST(StoreTolerance, ASuppressionHermesRecordedForOpenAiApiIsHonoured) {
  CliHome home;
  write_pool(home, "openai-api", {manual_row("h1", "hermes", 0)},
             R"("suppressed_sources": {"openai-api": ["env:OPENAI_API_KEY"]})");
  const std::string before = home.read_file("auth.json");
  home.set_env("OPENAI_API_KEY", "sk-env-0123456789abcdef");

  const json rows = credentials(home, "openai");

  EXPECT_EQ(rows.size(), 1U);
  EXPECT_EQ(home.read_file("auth.json"), before);
}

TEST(StoreTolerance, AddWritesWhatHermesWritesForAManualKey) {
  CliHome home;
  write_pool(home, "openai", {}, R"("updated_at": "2020-01-01T00:00:00+00:00")");

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", "sk-new-0123456789abcdef"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json file = home.auth_json();
  const json& row = file["credential_pool"]["openai"][0];
  EXPECT_EQ(row["base_url"], "https://api.openai.com/v1");
  EXPECT_EQ(row["request_count"], 0);
  EXPECT_EQ(row["source"], "manual");
  EXPECT_NE(file["updated_at"], "2020-01-01T00:00:00+00:00");
}

TEST(StoreTolerance, PrioritiesAreNotRenumberedByAWrite) {
  CliHome home;
  write_pool(
      home, "openai",
      {manual_row("a1", "one", 5), manual_row("b2", "two", 5), manual_row("c3", "three", 9)});

  ASSERT_EQ(home.run({"auth", "reset", "openai", "b2"}).exit_code, 0);
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-new-0123456789abcdef"}).exit_code,
            0);

  const json rows = home.auth_json()["credential_pool"]["openai"];
  EXPECT_EQ(rows[0]["priority"], 5);
  EXPECT_EQ(rows[1]["priority"], 5);
  EXPECT_EQ(rows[2]["priority"], 9);
  EXPECT_EQ(rows[3]["priority"], 10);
}

TEST(StoreTolerance, TheSameSecretThroughEnvAndManualIsOneRow) {
  CliHome home;
  write_pool(home, "openai", {manual_row("a1", "mine", 0)});
  home.set_env("OPENAI_API_KEY", "sk-test-a1-0123456789abcdef");

  const json rows = credentials(home, "openai");

  EXPECT_EQ(rows.size(), 1U);
}

TEST(StoreTolerance, AFailureClearedLaterByStatusClearedAtShowsOk) {
  CliHome home;
  const long long now = now_epoch();
  write_pool(home, "openai",
             {manual_row("a1", "one", 0,
                         fmt::format(R"("last_status": "exhausted", "last_status_at": {}.25,
                           "last_error_code": 429, "last_error_reset_at": {},
                           "status_cleared_at": {}.5)",
                                     now, now + 3600, now))});

  const json rows = credentials(home, "openai");

  EXPECT_EQ(rows[0]["state"], "ok");
}

TEST(StoreTolerance, ResetWritesAMicrosecondClearedAtNotBeforeTheFailure) {
  CliHome home;
  const long long later = now_epoch() + 100;  // another process's clock runs ahead
  write_pool(home, "openai",
             {manual_row("a1", "one", 0,
                         fmt::format(R"("last_status": "exhausted", "last_status_at": {}.75,
                           "last_error_code": 429, "last_error_reset_at": {})",
                                     later, later + 3600))});

  ASSERT_EQ(home.run({"auth", "reset", "openai", "a1"}).exit_code, 0);

  const json cleared = home.auth_json()["credential_pool"]["openai"][0]["status_cleared_at"];
  ASSERT_TRUE(cleared.is_number_float()) << cleared.dump();
  EXPECT_GE(cleared.get<double>(), static_cast<double>(later) + 0.75);
}

TEST(StoreTolerance, TheOpenAiApiPoolIsTheOpenAiPool) {
  CliHome home;
  write_pool(home, "openai-api", {manual_row("h1", "hermes", 0)});

  const CliRun by_alias = home.run({"auth", "list", "openai-api", "--json"});
  const CliRun by_id = home.run({"auth", "list", "openai", "--json"});
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", "sk-new-0123456789abcdef"}).exit_code,
            0);

  ASSERT_EQ(by_alias.exit_code, 0) << by_alias.err;
  EXPECT_EQ(by_alias.out, by_id.out);
  EXPECT_EQ(json::parse(by_id.out)["openai-api"]["credentials"][0]["id"], "h1");
  EXPECT_EQ(home.auth_json()["credential_pool"]["openai-api"].size(), 2U);
  EXPECT_FALSE(home.auth_json()["credential_pool"].contains("openai"));
}

TEST(StoreTolerance, AMillisecondResetTimeIsReadAsTheSameInstant) {
  CliHome home;
  const long long now = now_epoch();
  write_pool(home, "openai",
             {manual_row("a1", "one", 0,
                         fmt::format(R"("last_status": "exhausted", "last_status_at": {},
                           "last_error_code": 429, "last_error_reset_at": {})",
                                     now, (now + 600) * 1000))});

  const json rows = credentials(home, "openai");

  EXPECT_EQ(rows[0]["state"], "cooling");
  EXPECT_NEAR(rows[0]["resets_at"].get<double>(), static_cast<double>(now + 600), 1.0);
}

}  // namespace
}  // namespace credpool::testing
