#include "cli/list_view.h"

#include <gtest/gtest.h>

#include "core/pool.h"
#include "views/pool_view.h"
#include "support/fake_clock.h"

// The CLI words the facts of views/pool_view.h (the one builder shared with GET /admin/pools);
// these tests pin both the words and the facts `auth list` / `status` rely on.
namespace credpool::cli {
namespace {

using views::CredentialState;
using std::chrono::seconds;

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

core::Credential key(std::string id, std::string label, std::string secret) {
  core::Credential c;
  c.id = std::move(id);
  c.label = std::move(label);
  c.access_token = core::Secret(std::move(secret));
  return c;
}

core::Exhaustion cooling(core::FailureReason reason, int status, seconds left) {
  core::Exhaustion e;
  e.reason = reason;
  e.status_code = status;
  e.at = kNoon;
  e.resets_at = kNoon + left;
  return e;
}

views::PoolView view_of(std::vector<core::Credential> entries, core::Strategy strategy) {
  core::SplitMixRandom random(7);
  auto pool =
      core::Pool::from_entries("openai", std::move(entries), strategy, std::nullopt, &random);
  EXPECT_TRUE(pool.has_value());
  return views::view_of(*pool, kNoon);
}

TEST(ListView, StateTextReadsLikeHermes) {
  struct Case {
    const char* name;
    std::optional<core::Exhaustion> exhaustion;
    const char* expected;
  };
  core::Exhaustion dead = cooling(core::FailureReason::Forbidden, 0, seconds{0});
  dead.dead = true;
  dead.error_code = "token_revoked";
  core::Exhaustion auth = cooling(core::FailureReason::Auth, 401, seconds{300});
  auth.error_code = "invalid_token";
  const Case cases[] = {
      {"ok", std::nullopt, "ok"},
      {"rate limit", cooling(core::FailureReason::RateLimit, 429, seconds{3570}),
       "rate-limited (429) (59m 30s left)"},
      {"quota", cooling(core::FailureReason::Quota, 402, seconds{3600}),
       "quota exhausted (402) (1h 0m left)"},
      {"auth", auth, "auth failed invalid_token (401) (re-auth may be required)"},
      {"dead", dead, "dead token_revoked (re-auth required)"},
      {"passed", cooling(core::FailureReason::RateLimit, 429, seconds{-1}),
       "rate-limited (429) (ready to retry)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    core::Credential credential = key("a1", "one", "sk-aaaaaaaaaaaa1111");
    credential.exhaustion = c.exhaustion;

    const views::PoolView view = view_of({credential}, core::Strategy::FillFirst);

    EXPECT_EQ(state_text(view.credentials.at(0), kNoon), c.expected);
  }
}

TEST(ListView, AnEnvRowWithoutItsSecretIsUnavailable) {
  core::Credential env = key("e1", "OPENAI_API_KEY", "");
  env.source = "env:OPENAI_API_KEY";

  const views::PoolView view = view_of({env}, core::Strategy::FillFirst);

  EXPECT_EQ(views::state_at(view.credentials.at(0), kNoon), CredentialState::Unavailable);
  EXPECT_EQ(state_text(view.credentials.at(0), kNoon), "unavailable (OPENAI_API_KEY is not set)");
  EXPECT_FALSE(view.next_id.has_value());
  EXPECT_EQ(views::pool_json(view, kNoon)["credentials"][0]["next"], false);
}

// DESIGN.md: an env row whose variable is unset shows "unavailable", whatever its last mark.
TEST(ListView, AnUnavailableRowStaysUnavailableWhileItsMarkIsCooling) {
  core::Credential env = key("e1", "OPENAI_API_KEY", "");
  env.source = "env:OPENAI_API_KEY";
  env.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});

  const views::PoolView view = view_of({env}, core::Strategy::FillFirst);
  const nlohmann::json row = views::pool_json(view, kNoon)["credentials"][0];

  EXPECT_EQ(row["state"], "unavailable");
  EXPECT_EQ(row["reason"], "rate_limit");
  EXPECT_TRUE(row["secret_hint"].is_null());
  EXPECT_EQ(state_text(view.credentials.at(0), kNoon), "unavailable (OPENAI_API_KEY is not set)");
}

TEST(ListView, MarksThePeekedCredentialAsNext) {
  core::Credential first = key("a1", "one", "sk-aaaaaaaaaaaa1111");
  first.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});

  const views::PoolView view =
      view_of({first, key("b2", "two", "sk-bbbbbbbbbbbb2222")}, core::Strategy::FillFirst);
  const nlohmann::json rows = views::pool_json(view, kNoon)["credentials"];
  const std::string text = render_text(view, kNoon);

  EXPECT_EQ(rows[0]["next"], false);
  EXPECT_EQ(rows[1]["next"], true);
  const std::size_t two = text.find("two");
  ASSERT_NE(two, std::string::npos);
  const std::size_t arrow = text.find("←");
  ASSERT_NE(arrow, std::string::npos);
  EXPECT_GT(arrow, two);
  EXPECT_EQ(text.find('\n', two), text.find('\n', arrow)) << text;  // on the line of "two"
  EXPECT_EQ(text.find("←", arrow + 1), std::string::npos) << text;
}

TEST(ListView, NoRowIsNextUnderRandom) {
  const views::PoolView view =
      view_of({key("a1", "one", "sk-aaaaaaaaaaaa1111")}, core::Strategy::Random);

  EXPECT_EQ(views::pool_json(view, kNoon)["credentials"][0]["next"], false);
  EXPECT_EQ(render_text(view, kNoon).find("←"), std::string::npos);
}

TEST(ListView, JsonHasEveryPinnedFieldAndOnlyTheMaskedSecret) {
  core::Credential c = key("a1", "one", "sk-secretsecret1234");
  c.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});
  c.exhaustion->error_code = "rate_limit_exceeded";

  const nlohmann::json j = views::pool_json(view_of({c}, core::Strategy::FillFirst), kNoon);

  EXPECT_EQ(j["strategy"], "fill_first");
  const nlohmann::json& row = j["credentials"][0];
  for (const char* field :
       {"index", "id", "label", "auth_type", "source", "priority", "state", "reason", "status_code",
        "message", "resets_at", "reset_source", "request_count", "next", "secret_hint",
        "error_code", "model_cooldowns"}) {
    EXPECT_TRUE(row.contains(field)) << field;
  }
  EXPECT_EQ(row["index"], 1);
  EXPECT_EQ(row["state"], "cooling");
  EXPECT_EQ(row["reason"], "rate_limit");
  EXPECT_EQ(row["status_code"], 429);
  EXPECT_EQ(row["resets_at"], core::to_epoch(kNoon) + 60);
  EXPECT_EQ(row["secret_hint"], "sk-...1234");
  EXPECT_EQ(j.dump().find("secretsecret"), std::string::npos);
  EXPECT_FALSE(row.contains("last_used_at"));
  EXPECT_FALSE(row.contains("last_failure_provider"));
}

TEST(ListView, StatusJsonAddsLastUseAndTheFailuresProvider) {
  core::Credential limited = key("a1", "one", "sk-aaaaaaaaaaaa1111");
  limited.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});
  limited.last_used_at = kNoon - seconds{5};
  const views::PoolView view =
      view_of({limited, key("b2", "two", "sk-bbbbbbbbbbbb2222")}, core::Strategy::FillFirst);

  const nlohmann::json status = views::pool_json(view, kNoon, views::ListingShape::Status);
  const nlohmann::json list = views::pool_json(view, kNoon);

  const nlohmann::json& rows = status["credentials"];
  EXPECT_EQ(rows[0]["last_used_at"], core::to_epoch(kNoon) - 5);
  EXPECT_EQ(rows[0]["last_failure_provider"], "openai");
  EXPECT_TRUE(rows[1]["last_used_at"].is_null());
  EXPECT_TRUE(rows[1]["last_failure_provider"].is_null());
  nlohmann::json trimmed = status;
  for (nlohmann::json& row : trimmed["credentials"]) {
    row.erase("last_used_at");
    row.erase("last_failure_provider");
  }
  EXPECT_EQ(trimmed, list);  // "the same plus" those two fields
}

// The cases the CLI's old separate builder covered beyond the gateway's own tests.
TEST(ListView, JsonShowsMessagesModelCooldownsDeadAndPassedMarks) {
  core::Credential limited = key("a1", "one", "sk-aaaaaaaaaaaa1111");
  limited.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});
  limited.exhaustion->error_code = "rate_limit_exceeded";
  limited.exhaustion->message = "slow down";
  limited.model_cooldowns["gpt-x"] = kNoon + seconds{30};
  core::Credential dead = key("d4", "gone", "sk-dddddddddddd4444");
  dead.exhaustion = cooling(core::FailureReason::Forbidden, 403, seconds{0});
  dead.exhaustion->dead = true;
  core::Credential passed = key("p5", "rested", "sk-pppppppppppp5555");
  passed.exhaustion = cooling(core::FailureReason::Quota, 402, seconds{-5});

  const nlohmann::json rows =
      views::pool_json(view_of({limited, key("b3", "two", "sk-bbbbbbbbbbbb2222"), dead, passed},
                                 core::Strategy::FillFirst),
                         kNoon)["credentials"];

  EXPECT_EQ(rows[0]["message"], "slow down");
  EXPECT_EQ(rows[0]["error_code"], "rate_limit_exceeded");
  EXPECT_EQ(rows[0]["model_cooldowns"], (nlohmann::json{{"gpt-x", core::to_epoch(kNoon) + 30}}));
  EXPECT_EQ(rows[0]["reset_source"], "default");
  EXPECT_TRUE(rows[1]["reason"].is_null());
  EXPECT_TRUE(rows[1]["message"].is_null());
  EXPECT_EQ(rows[1]["model_cooldowns"], nlohmann::json::object());
  EXPECT_EQ(rows[1]["next"], true);
  EXPECT_EQ(rows[2]["state"], "dead");
  EXPECT_EQ(rows[2]["status_code"], 403);
  EXPECT_TRUE(rows[2]["resets_at"].is_null());
  EXPECT_EQ(rows[3]["state"], "ok");
  EXPECT_EQ(rows[3]["reason"], "quota");
  EXPECT_EQ(rows[3]["resets_at"], core::to_epoch(kNoon) - 5);
  EXPECT_EQ(rows[3]["index"], 4);
}

}  // namespace
}  // namespace credpool::cli
