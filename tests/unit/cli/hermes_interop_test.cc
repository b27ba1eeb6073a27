// A home written the way Hermes Agent writes it goes through every `auth` command of the real
// binary and comes out with nothing lost: each command changes only what it is for (issue #7,
// "Done means"; reference §1.3).
#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Float times, labels that differ only in case, suppressed_sources, unknown top-level keys and
// row fields, an `openai-api` pool, a millisecond last_error_reset_at, ISO expiry.
constexpr const char* kHermesAuth = R"({
  "version": 1,
  "updated_at": "2026-09-10T08:15:00.123456+00:00",
  "active_provider": "openai-codex",
  "providers": {"openai-codex": {"tokens": {"access_token": "eyJ.A1", "refresh_token": "rt_A1"},
                                 "last_refresh": "2026-09-10T08:00:00Z"}},
  "plugin_state": {"memory": {"enabled": true}},
  "credential_pool": {
    "openai-api": [
      {"id": "h1a2b3", "label": "Work", "auth_type": "api_key", "priority": 0, "source": "manual",
       "access_token": "sk-test-hermes-one-0123456789", "base_url": "https://api.openai.com/v1",
       "request_count": 17, "account_tier": "plus", "secret_source": "keychain",
       "last_status": "exhausted", "last_status_at": 1780000000.123456, "last_error_code": 429,
       "last_error_reason": "rate_limit_exceeded", "last_error_message": "Rate limit reached",
       "last_error_reset_at": 1780000060.654321, "failure_reason": "rate_limit"},
      {"id": "h4c5d6", "label": "work", "auth_type": "api_key", "priority": 1, "source": "manual",
       "access_token": "sk-test-hermes-two-0123456789", "base_url": "https://api.openai.com/v1",
       "request_count": 3, "last_status": "ok", "last_status_at": 1780000100.5,
       "last_error_code": null, "last_error_reason": null, "last_error_message": null,
       "last_error_reset_at": null}
    ],
    "anthropic": [
      {"id": "an7h01", "label": "personal", "auth_type": "api_key", "priority": 0,
       "source": "manual", "access_token": "sk-test-hermes-anthropic-0123456789", "request_count": 0,
       "model_cooldowns": {"claude-fable-5": 4102444800.25},
       "status_cleared_at": 1787900000.0,
       "last_status": "exhausted", "last_status_at": 1790000000.5, "last_error_code": 429,
       "last_error_reason": "rate_limit_error", "last_error_message": "slow down",
       "last_error_reset_at": 4102444800000}
    ],
    "nous": [
      {"id": "n0u5aa", "label": "me@example.com", "auth_type": "oauth", "priority": 0,
       "source": "device_code", "access_token": "eyJ.N1", "refresh_token": "rt_N1",
       "expires_at": "2026-09-10T09:00:00.5+00:00", "inference_base_url": "https://n.example/v1",
       "last_status": null, "last_status_at": null, "last_error_code": null,
       "last_error_reason": null, "last_error_message": null, "last_error_reset_at": null}
    ],
    "openrouter": [
      {"id": "3fa9c1", "label": "OPENROUTER_API_KEY", "auth_type": "api_key", "priority": 0,
       "source": "env:OPENROUTER_API_KEY", "base_url": "https://openrouter.ai/api/v1",
       "secret_fingerprint": "sha256:12ab34cd56ef7890", "request_count": 142,
       "last_status": null, "last_status_at": null, "last_error_code": null,
       "last_error_reason": null, "last_error_message": null, "last_error_reset_at": null}
    ]
  },
  "suppressed_sources": {"openrouter": ["env:OPENROUTER_API_KEY_2"]}
})";

constexpr const char* kHermesConfig =
    "# Hermes Agent configuration\n"
    "model:\n"
    "  default: gpt-5   # the main model\n"
    "credential_pool_strategies:\n"
    "  openai-api: round_robin  # rotate the two work keys\n"
    "  anthropic: fill_first\n"
    "\n"
    "# end\n";

class HermesInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    home_.write_file("auth.json", kHermesAuth);
    home_.write_file("config.yaml", kHermesConfig);
  }

  CliRun ok(const std::vector<std::string>& args) {
    CliRun r = home_.run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  // The file without updated_at, which every save rewrites.
  json saved() const {
    json j = home_.auth_json();
    j.erase("updated_at");
    return j;
  }

  static json original() {
    json j = json::parse(kHermesAuth);
    j.erase("updated_at");
    return j;
  }

  CliHome home_;
};

TEST_F(HermesInterop, ListChangesNothing) {
  const CliRun r = ok({"auth", "list"});

  EXPECT_THAT(r.out, HasSubstr("openai-api (2 credentials, strategy round_robin)"));
  EXPECT_EQ(home_.read_file("auth.json"), kHermesAuth);
  EXPECT_EQ(home_.read_file("config.yaml"), kHermesConfig);
}

TEST_F(HermesInterop, ListJsonShowsEveryPoolUnderTheKeyTheHomeUses) {
  const json j = json::parse(ok({"auth", "list", "--json"}).out);

  EXPECT_EQ(j["openai-api"]["strategy"], "round_robin");
  EXPECT_EQ(j["openai-api"]["credentials"][0]["label"], "Work");
  EXPECT_EQ(j["openai-api"]["credentials"][1]["label"], "work");
  EXPECT_EQ(j["anthropic"]["credentials"][0]["state"], "cooling");  // ms reset, far ahead
  EXPECT_FALSE(j.contains("openai"));
  EXPECT_EQ(home_.read_file("auth.json"), kHermesAuth);
}

TEST_F(HermesInterop, AddThenRemoveByIdLeavesTheFileAsItWas) {
  ok({"auth", "add", "openai", "--api-key", "sk-test-credpool-0123456789", "--label", "mine"});
  const json added = saved();
  ASSERT_EQ(added["credential_pool"]["openai-api"].size(), 3U);
  const json row = added["credential_pool"]["openai-api"][2];
  ok({"auth", "remove", "openai", row["id"].get<std::string>()});

  json without_row = added;
  without_row["credential_pool"]["openai-api"].erase(2);
  EXPECT_EQ(without_row, original());
  EXPECT_EQ(row["label"], "mine");
  EXPECT_EQ(row["priority"], 2);
  EXPECT_EQ(row["request_count"], 0);
  EXPECT_EQ(row["base_url"], "https://api.openai.com/v1");
  EXPECT_EQ(saved(), original());
  EXPECT_NE(home_.auth_json()["updated_at"], json::parse(kHermesAuth)["updated_at"]);
}

TEST_F(HermesInterop, ResetClearsOnlyThatRowsStatus) {
  ok({"auth", "reset", "anthropic", "an7h01"});

  json after = saved();
  json& row = after["credential_pool"]["anthropic"][0];
  EXPECT_TRUE(row["status_cleared_at"].is_number_float());
  EXPECT_GT(row["status_cleared_at"].get<double>(), 1790000000.5);
  EXPECT_EQ(row["last_status"], nullptr);
  EXPECT_EQ(row["last_error_reset_at"], nullptr);
  EXPECT_FALSE(row.contains("model_cooldowns"));
  json expected = original();
  json& was = expected["credential_pool"]["anthropic"][0];
  for (const char* key : {"last_status", "last_status_at", "last_error_code", "last_error_reason",
                          "last_error_message", "last_error_reset_at"}) {
    was[key] = nullptr;
  }
  was.erase("model_cooldowns");
  was["status_cleared_at"] = row["status_cleared_at"];
  EXPECT_EQ(after, expected);
}

TEST_F(HermesInterop, StrategyChangesOnlyItsLineOfConfigYaml) {
  ok({"auth", "strategy", "openai", "least_used"});

  std::string expected = kHermesConfig;
  expected.replace(expected.find("round_robin  #"), 11, "least_used");
  EXPECT_EQ(home_.read_file("config.yaml"), expected);
  EXPECT_EQ(home_.read_file("auth.json"), kHermesAuth);
  EXPECT_EQ(ok({"auth", "strategy", "openai-api"}).out, "least_used\n");
}

TEST_F(HermesInterop, PriorityRenumbersThatPoolOnly) {
  ok({"auth", "priority", "openai-api", "h4c5d6", "0"});

  json after = saved();
  json expected = original();
  json& rows = expected["credential_pool"]["openai-api"];
  std::swap(rows[0], rows[1]);
  rows[0]["priority"] = 0;
  rows[1]["priority"] = 1;
  EXPECT_EQ(after, expected);
}

TEST_F(HermesInterop, AnAmbiguousLabelIsRefusedAndIdOrIndexStillWork) {
  const CliRun ambiguous = home_.run({"auth", "reset", "openai-api", "WORK"});

  EXPECT_EQ(ambiguous.exit_code, 1);
  EXPECT_THAT(ambiguous.err, HasSubstr("h1a2b3"));
  EXPECT_THAT(ambiguous.err, HasSubstr("h4c5d6"));
  EXPECT_EQ(home_.read_file("auth.json"), kHermesAuth);
  ok({"auth", "reset", "openai-api", "2"});
  EXPECT_TRUE(
      home_.auth_json()["credential_pool"]["openai-api"][1]["status_cleared_at"].is_number_float());
}

}  // namespace
}  // namespace credpool::testing
