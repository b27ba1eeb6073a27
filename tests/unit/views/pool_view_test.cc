#include "views/pool_view.h"

#include <gtest/gtest.h>

namespace credpool::views {
namespace {

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

core::Credential credential(std::string id, std::string label, std::string secret) {
  core::Credential c;
  c.id = std::move(id);
  c.label = std::move(label);
  c.access_token = core::Secret(std::move(secret));
  return c;
}

TEST(PoolView, ListsCredentialsWithOneBasedIndexAndMaskedSecret) {
  PoolView view{.key = "openai",
                .strategy = core::Strategy::FillFirst,
                .credentials = {credential("a1", "openai-1", "sk-proj-abcdefgh1234")},
                .next_id = "a1"};

  const auto json = pools_json({view}, kNoon);

  const auto& row = json["openai"]["credentials"][0];
  EXPECT_EQ(json["openai"]["strategy"], "fill_first");
  EXPECT_EQ(row["index"], 1);
  EXPECT_EQ(row["id"], "a1");
  EXPECT_EQ(row["state"], "ok");
  EXPECT_EQ(row["next"], true);
  EXPECT_EQ(row["secret_hint"], "sk-...1234");
  EXPECT_TRUE(row["reason"].is_null());
  EXPECT_TRUE(row["resets_at"].is_null());
  EXPECT_EQ(json.dump().find("abcdefgh"), std::string::npos);
}

TEST(PoolView, CoolingCredentialShowsReasonAndResetUntilItPasses) {
  auto c = credential("b2", "openai-2", "sk-proj-abcdefgh5678");
  c.exhaustion = core::Exhaustion{.status_code = 429,
                                  .reason = core::FailureReason::RateLimit,
                                  .error_code = "rate_limit_exceeded",
                                  .message = "slow down",
                                  .at = kNoon,
                                  .resets_at = kNoon + std::chrono::seconds(60),
                                  .reset_source = core::ResetSource::Provider};
  PoolView view{.key = "openai", .credentials = {c}, .next_id = std::nullopt};

  const auto cooling = pool_json(view, kNoon)["credentials"][0];
  const auto later = pool_json(view, kNoon + std::chrono::seconds(61))["credentials"][0];

  EXPECT_EQ(cooling["state"], "cooling");
  EXPECT_EQ(cooling["reason"], "rate_limit");
  EXPECT_EQ(cooling["status_code"], 429);
  EXPECT_EQ(cooling["resets_at"], core::to_epoch(kNoon) + 60);
  EXPECT_EQ(cooling["reset_source"], "provider");
  EXPECT_EQ(cooling["error_code"], "rate_limit_exceeded");
  EXPECT_EQ(later["state"], "ok");
}

TEST(PoolView, RowWithoutSecretIsUnavailable) {
  PoolView view{.key = "openai",
                .credentials = {credential("c3", "OPENAI_API_KEY", "")},
                .next_id = std::nullopt};

  const auto row = pool_json(view, kNoon)["credentials"][0];

  EXPECT_EQ(row["state"], "unavailable");
  EXPECT_TRUE(row["secret_hint"].is_null());
}

TEST(PoolView, ModelCooldownsAreEpochSeconds) {
  auto c = credential("d4", "anthropic-1", "sk-ant-abcdefgh0000");
  c.model_cooldowns["claude-opus"] = kNoon + std::chrono::seconds(30);
  PoolView view{.key = "anthropic", .credentials = {c}, .next_id = std::nullopt};

  const auto row = pool_json(view, kNoon)["credentials"][0];

  EXPECT_EQ(row["model_cooldowns"]["claude-opus"], core::to_epoch(kNoon) + 30);
}

}  // namespace
}  // namespace credpool::views
