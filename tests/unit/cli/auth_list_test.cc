#include <ctime>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

long long now_epoch() { return static_cast<long long>(std::time(nullptr)); }

// Writes one openai pool whose rows the test describes as auth.json JSON objects.
void write_openai_rows(const CliHome& home, const std::vector<std::string>& rows) {
  home.write_file("auth.json",
                  fmt::format(R"({{"version": 1, "credential_pool": {{"openai": [{}]}}}})",
                              fmt::join(rows, ",")));
}

std::string row(const std::string& id, const std::string& label, int priority,
                const std::string& status_fields = "") {
  return fmt::format(
      R"({{"id": "{}", "label": "{}", "auth_type": "api_key", "priority": {}, "source": "manual",
          "access_token": "sk-test-{}aaaaaaaaaaaa{}"{}}})",
      id, label, priority, id, id, status_fields.empty() ? "" : ", " + status_fields);
}

std::string exhausted(int code, long long reset_in, const std::string& reason,
                      const std::string& error_code = "") {
  const long long now = now_epoch();
  return fmt::format(
      R"("last_status": "exhausted", "last_status_at": {}, "last_error_code": {},
         "last_error_reason": {}, "last_error_message": "limited", "last_error_reset_at": {},
         "failure_reason": "{}")",
      now, code, error_code.empty() ? "null" : "\"" + error_code + "\"", now + reset_in, reason);
}

TEST(AuthList, ShowsEachRowMaskedWithTheNextPickMarked) {
  CliHome home;
  write_openai_rows(home, {row("a1", "first", 0), row("b2", "second", 1)});

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("openai (2 credentials"));
  EXPECT_THAT(r.out, HasSubstr("#1"));
  EXPECT_THAT(r.out, HasSubstr("id=a1 priority=0 manual sk-...aaa1 ok ←"));
  EXPECT_THAT(r.out, HasSubstr("id=b2 priority=1 manual sk-...aab2 ok\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("sk-test-")));
}

TEST(AuthList, ShowsCoolingRowsWithTheirReasonAndTimeLeft) {
  CliHome home;
  write_openai_rows(home, {row("a1", "limited", 0, exhausted(429, 3570, "rate_limit")),
                           row("b2", "broke", 1, exhausted(402, 3630, "quota")),
                           row("c3", "badkey", 2, exhausted(401, 300, "auth", "invalid_token")),
                           row("d4", "waited", 3, exhausted(429, -10, "rate_limit"))});

  const CliRun r = home.run({"auth", "list", "openai"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rate-limited (429) (59m"));
  EXPECT_THAT(r.out, HasSubstr("quota exhausted (402) (1h 1m left)"));
  EXPECT_THAT(r.out, HasSubstr("auth failed invalid_token (401) (re-auth may be required)"));
  EXPECT_THAT(r.out, HasSubstr("rate-limited (429) (ready to retry) ←"));
}

TEST(AuthList, ShowsDeadRows) {
  CliHome home;
  write_openai_rows(home,
                    {row("a1", "gone", 0,
                         R"("last_status": "dead", "last_status_at": 1, "last_error_code": 403,
                                  "last_error_reason": "token_revoked", "failure_reason": "forbidden")")});

  const CliRun r = home.run({"auth", "list", "openai"});

  EXPECT_THAT(r.out, HasSubstr("dead token_revoked (403) (re-auth required)"));
}

TEST(AuthList, JsonHasThePinnedShape) {
  CliHome home;
  write_openai_rows(
      home, {row("a1", "limited", 0, exhausted(429, 600, "rate_limit")), row("b2", "fine", 1)});

  const CliRun r = home.run({"auth", "list", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["openai"]["strategy"], "fill_first");
  const auto& rows = j["openai"]["credentials"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["index"], 1);
  EXPECT_EQ(rows[0]["state"], "cooling");
  EXPECT_EQ(rows[0]["reason"], "rate_limit");
  EXPECT_EQ(rows[0]["status_code"], 429);
  EXPECT_TRUE(rows[0]["resets_at"].is_number());
  EXPECT_EQ(rows[0]["next"], false);
  EXPECT_EQ(rows[1]["state"], "ok");
  EXPECT_EQ(rows[1]["next"], true);
  EXPECT_EQ(rows[1]["secret_hint"], "sk-...aab2");
  EXPECT_EQ(r.out.find("sk-test-"), std::string::npos);
}

TEST(AuthList, JsonForOneProviderHasOnlyThatKeyEvenWhenEmpty) {
  CliHome home;
  write_openai_rows(home, {row("a1", "one", 0)});

  const CliRun r = home.run({"auth", "list", "groq", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json::parse(R"({"groq": {"strategy": "fill_first", "credentials": []}})"));
}

TEST(AuthList, SeedsEnvKeysAsRowsWithoutStoringTheSecret) {
  CliHome home;
  home.set_env("OPENAI_API_KEY", "sk-env-cccccccccccc3333");

  const CliRun r = home.run({"auth", "list", "openai"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("OPENAI_API_KEY"));
  EXPECT_THAT(r.out, HasSubstr("env:OPENAI_API_KEY sk-...3333"));
  const std::string file = home.read_file("auth.json");
  EXPECT_THAT(file, HasSubstr("env:OPENAI_API_KEY"));
  EXPECT_THAT(file, Not(HasSubstr("sk-env-cccccccccccc3333")));
}

TEST(AuthList, ShowsAnEnvRowWhoseVariableIsUnsetAsUnavailable) {
  CliHome home;
  home.set_env("OPENAI_API_KEY", "sk-env-cccccccccccc3333");
  ASSERT_EQ(home.run({"auth", "list"}).exit_code, 0);
  home.unset_env("OPENAI_API_KEY");

  const CliRun r = home.run({"auth", "list", "openai", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["openai"]["credentials"][0]["state"], "unavailable");
}

TEST(AuthList, RefusesACorruptFileNamingPathAndLineAndLeavesItUntouched) {
  CliHome home;
  const std::string corrupt = "{\n  \"version\": 1,\n  \"credential_pool\": {,\n}\n";
  home.write_file("auth.json", corrupt);

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(home.auth_path().string()));
  EXPECT_THAT(r.err, HasSubstr("line 3"));
  EXPECT_EQ(home.read_file("auth.json"), corrupt);
}

}  // namespace
}  // namespace credpool::testing
