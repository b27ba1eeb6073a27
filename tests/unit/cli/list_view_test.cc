#include "cli/list_view.h"

#include <gtest/gtest.h>

#include "core/pool.h"
#include "gateway/pool_view.h"
#include "support/fake_clock.h"

namespace credpool::cli {
namespace {

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

PoolView view_of(std::vector<core::Credential> entries, core::Strategy strategy) {
  core::SplitMixRandom random(7);
  auto pool =
      core::Pool::from_entries("openai", std::move(entries), strategy, std::nullopt, &random);
  EXPECT_TRUE(pool.has_value());
  return build_view(*pool, kNoon);
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

    const PoolView view = view_of({credential}, core::Strategy::FillFirst);

    EXPECT_EQ(state_text(view.rows.at(0), kNoon), c.expected);
  }
}

TEST(ListView, AnEnvRowWithoutItsSecretIsUnavailable) {
  core::Credential env = key("e1", "OPENAI_API_KEY", "");
  env.source = "env:OPENAI_API_KEY";

  const PoolView view = view_of({env}, core::Strategy::FillFirst);

  EXPECT_EQ(view.rows.at(0).state, RowState::Unavailable);
  EXPECT_EQ(state_text(view.rows.at(0), kNoon), "unavailable (OPENAI_API_KEY is not set)");
  EXPECT_FALSE(view.rows.at(0).next);
}

TEST(ListView, MarksThePeekedCredentialAsNext) {
  core::Credential first = key("a1", "one", "sk-aaaaaaaaaaaa1111");
  first.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});

  const PoolView view =
      view_of({first, key("b2", "two", "sk-bbbbbbbbbbbb2222")}, core::Strategy::FillFirst);

  EXPECT_FALSE(view.rows.at(0).next);
  EXPECT_TRUE(view.rows.at(1).next);
  EXPECT_NE(render_text(view, kNoon).find("two"), std::string::npos);
  EXPECT_NE(render_text(view, kNoon).find("←"), std::string::npos);
}

TEST(ListView, NoRowIsNextUnderRandom) {
  const PoolView view = view_of({key("a1", "one", "sk-aaaaaaaaaaaa1111")}, core::Strategy::Random);

  EXPECT_FALSE(view.rows.at(0).next);
}

TEST(ListView, JsonHasEveryPinnedFieldAndOnlyTheMaskedSecret) {
  core::Credential c = key("a1", "one", "sk-secretsecret1234");
  c.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});
  c.exhaustion->error_code = "rate_limit_exceeded";

  const nlohmann::json j = to_json(view_of({c}, core::Strategy::FillFirst), false);

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
}

}  // namespace
}  // namespace credpool::cli

namespace credpool::cli {
namespace {

// DESIGN.md: GET /admin/pools is the same JSON as `auth list --json`; both are built from here.
TEST(ListView, JsonMatchesTheGatewaysAdminPools) {
  core::Credential limited = key("a1", "one", "sk-aaaaaaaaaaaa1111");
  limited.exhaustion = cooling(core::FailureReason::RateLimit, 429, seconds{60});
  limited.exhaustion->error_code = "rate_limit_exceeded";
  limited.exhaustion->message = "slow down";
  limited.model_cooldowns["gpt-x"] = kNoon + seconds{30};
  core::Credential env = key("e2", "OPENAI_API_KEY", "");
  env.source = "env:OPENAI_API_KEY";
  core::Credential dead = key("d4", "gone", "sk-dddddddddddd4444");
  dead.exhaustion = cooling(core::FailureReason::Forbidden, 403, seconds{0});
  dead.exhaustion->dead = true;
  core::Credential passed = key("p5", "rested", "sk-pppppppppppp5555");
  passed.exhaustion = cooling(core::FailureReason::Quota, 402, seconds{-5});
  std::vector<core::Credential> entries{limited, key("b3", "two", "sk-bbbbbbbbbbbb2222"), env, dead,
                                        passed};
  core::SplitMixRandom random(7);
  auto pool =
      core::Pool::from_entries("openai", entries, core::Strategy::FillFirst, std::nullopt, &random);
  ASSERT_TRUE(pool.has_value());

  const nlohmann::json ours = to_json(build_view(*pool, kNoon), false);
  const nlohmann::json gateways = gateway::pool_json(gateway::view_of(*pool, kNoon), kNoon);

  EXPECT_EQ(ours, gateways) << ours.dump(2) << "\n" << gateways.dump(2);
}

}  // namespace
}  // namespace credpool::cli
