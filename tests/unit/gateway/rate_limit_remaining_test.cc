#include "gateway/rate_limit_remaining.h"

#include <gtest/gtest.h>

namespace credpool::gateway {
namespace {

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

struct HeaderCase {
  const char* name;
  core::HeaderList headers;
  std::optional<std::uint64_t> requests;
  std::optional<std::uint64_t> tokens;
};

class RateLimitHeadersTest : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(RateLimitHeadersTest, ReadsTheRemainingBudgets) {
  const HeaderCase& c = GetParam();

  const auto remaining = rate_limit_remaining_from(c.headers, kNoon);

  if (!c.requests && !c.tokens) {
    EXPECT_FALSE(remaining.has_value());
    return;
  }
  ASSERT_TRUE(remaining.has_value());
  EXPECT_EQ(remaining->requests, c.requests);
  EXPECT_EQ(remaining->tokens, c.tokens);
  EXPECT_EQ(remaining->seen_at, kNoon);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, RateLimitHeadersTest,
    ::testing::Values(
        HeaderCase{
            "OpenAiBoth",
            {{"x-ratelimit-remaining-requests", "59"}, {"x-ratelimit-remaining-tokens", "149984"}},
            59,
            149984},
        HeaderCase{"AnthropicBoth",
                   {{"anthropic-ratelimit-requests-remaining", "49"},
                    {"anthropic-ratelimit-tokens-remaining", "39000"}},
                   49,
                   39000},
        HeaderCase{
            "NamesAreCaseInsensitive", {{"X-RateLimit-Remaining-Requests", "7"}}, 7, std::nullopt},
        HeaderCase{"OnlyTokens", {{"x-ratelimit-remaining-tokens", "0"}}, std::nullopt, 0},
        HeaderCase{"SpacesAroundTheValueAreTrimmed",
                   {{"x-ratelimit-remaining-requests", " 12 "}},
                   12,
                   std::nullopt},
        HeaderCase{
            "MalformedValueCountsAsAbsent",
            {{"x-ratelimit-remaining-requests", "12abc"}, {"x-ratelimit-remaining-tokens", "500"}},
            std::nullopt,
            500},
        HeaderCase{"NegativeValueCountsAsAbsent",
                   {{"x-ratelimit-remaining-requests", "-1"}},
                   std::nullopt,
                   std::nullopt},
        HeaderCase{"ResetHeadersAloneSayNothing",
                   {{"x-ratelimit-reset-requests", "1s"}, {"content-type", "application/json"}},
                   std::nullopt,
                   std::nullopt},
        HeaderCase{"NoHeaders", {}, std::nullopt, std::nullopt}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(RateLimitJson, NoRecordIsNull) { EXPECT_TRUE(rate_limit_json(std::nullopt).is_null()); }

TEST(RateLimitJson, AMissingBudgetIsNullAndSeenAtIsEpochSeconds) {
  const auto json =
      rate_limit_json(RateLimitRemaining{.requests = 3, .tokens = std::nullopt, .seen_at = kNoon});

  EXPECT_EQ(json["requests"], 3);
  EXPECT_TRUE(json["tokens"].is_null());
  EXPECT_EQ(json["seen_at"], 1'800'000'000);
}

TEST(AddRateLimitRemaining, FillsRecordedCredentialsByPoolAndIdAndLeavesTheOthers) {
  nlohmann::json pools = {
      {"openai",
       {{"strategy", "fill_first"},
        {"credentials",
         {{{"id", "a1"}, {"label", "k1"}},
          {{"id", "b2"}, {"label", "k2"}},
          {{"id", "c3"}, {"rate_limit_remaining", nullptr}}}}}},
      {"anthropic", {{"strategy", "fill_first"}, {"credentials", {{{"id", "a1"}}}}}}};
  RateLimitsByPool remaining;
  remaining["openai"]["a1"] = {.requests = 10, .tokens = 20, .seen_at = kNoon};

  add_rate_limit_remaining(pools, remaining);

  const auto& openai = pools["openai"]["credentials"];
  EXPECT_EQ(openai[0]["rate_limit_remaining"]["requests"], 10);
  EXPECT_EQ(openai[0]["rate_limit_remaining"]["tokens"], 20);
  EXPECT_EQ(openai[0]["label"], "k1");
  EXPECT_FALSE(openai[1].contains("rate_limit_remaining")) << "same as auth list --json";
  EXPECT_TRUE(openai[2]["rate_limit_remaining"].is_null()) << "the listing's own null is kept";
  EXPECT_FALSE(pools["anthropic"]["credentials"][0].contains("rate_limit_remaining"))
      << "the same id in another pool is another credential";
}

TEST(AddRateLimitRemaining, LeavesAnEmptyObjectAlone) {
  nlohmann::json pools = nlohmann::json::object();

  add_rate_limit_remaining(pools, {});

  EXPECT_EQ(pools, nlohmann::json::object());
}

}  // namespace
}  // namespace credpool::gateway
