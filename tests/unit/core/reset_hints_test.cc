#include "core/reset_hints.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace credpool::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2025-05-01T12:00:00Z.
const WallTime kNoon = from_epoch(1'746'100'800);

struct HintCase {
  std::string name;
  HeaderList headers;
  std::string body;  // JSON, or empty for none
  std::string message;
  std::optional<long long> resets_in;  // seconds after kNoon
  std::optional<long long> wait_ms;
  std::string source;
};

std::string epoch_plus(long long s) { return std::to_string(to_epoch(kNoon) + s); }

const std::vector<HintCase>& hint_cases() {
  static const std::vector<HintCase> cases = {
      {"RetryAfterSeconds", {{"Retry-After", "30"}}, "", "", 30, 30'000, "retry-after"},
      {"RetryAfterHttpDate",
       {{"retry-after", "Thu, 01 May 2025 12:02:00 GMT"}},
       "",
       "",
       120,
       120'000,
       "retry-after"},
      {"RetryAfterMsHeader", {{"retry-after-ms", "1500"}}, "", "", 2, 1'500, "retry-after"},
      {"HeaderNamesIgnoreCase", {{"RETRY-AFTER", "7"}}, "", "", 7, 7'000, "retry-after"},
      {"RetryAfterZeroIsAResetNow", {{"Retry-After", "0"}}, "", "", 0, 0, "retry-after"},
      {"OpenAiResetOfTheExhaustedDimensionWins",
       {{"x-ratelimit-limit-requests", "500"},
        {"x-ratelimit-remaining-requests", "0"},
        {"x-ratelimit-reset-requests", "6m0s"},
        {"x-ratelimit-remaining-tokens", "29000"},
        {"x-ratelimit-reset-tokens", "1.5s"}},
       "",
       "",
       360,
       {},
       "x-ratelimit-reset-*"},
      {"OpenAiMillisecondResetRoundsUp",
       {{"x-ratelimit-remaining-tokens", "0"},
        {"x-ratelimit-reset-tokens", "20ms"},
        {"x-ratelimit-reset-requests", "1h2m3s"}},
       "",
       "",
       1,
       {},
       "x-ratelimit-reset-*"},
      {"OpenAiLatestResetWhenNoDimensionIsExhausted",
       {{"x-ratelimit-reset-requests", "1m"}, {"x-ratelimit-reset-tokens", "1.5s"}},
       "",
       "",
       60,
       {},
       "x-ratelimit-reset-*"},
      {"GroqFractionalDuration",
       {{"x-ratelimit-reset-requests", "2m59.56s"}},
       "",
       "",
       180,
       {},
       "x-ratelimit-reset-*"},
      {"RatelimitResetSmallNumberIsADelta",
       {{"x-ratelimit-reset", "60"}},
       "",
       "",
       60,
       {},
       "x-ratelimit-reset"},
      {"RatelimitResetEpochSeconds",
       {{"x-ratelimit-reset", epoch_plus(90)}},
       "",
       "",
       90,
       {},
       "x-ratelimit-reset"},
      {"RatelimitResetEpochMilliseconds",
       {{"x-ratelimit-reset", epoch_plus(45) + "000"}},
       "",
       "",
       45,
       {},
       "x-ratelimit-reset"},
      {"RatelimitResetDurationString",
       {{"x-ratelimit-reset", "1m30s"}},
       "",
       "",
       90,
       {},
       "x-ratelimit-reset"},
      {"AnthropicResetOfTheExhaustedLimitWins",
       {{"anthropic-ratelimit-requests-remaining", "10"},
        {"anthropic-ratelimit-requests-reset", "2025-05-01T12:00:05Z"},
        {"anthropic-ratelimit-tokens-remaining", "0"},
        {"anthropic-ratelimit-tokens-reset", "2025-05-01T12:00:40Z"}},
       "",
       "",
       40,
       {},
       "anthropic-ratelimit-*-reset"},
      {"AnthropicUnifiedRejectedWindow",
       {{"anthropic-ratelimit-unified-5h-status", "rejected"},
        {"anthropic-ratelimit-unified-5h-reset", epoch_plus(3000)},
        {"anthropic-ratelimit-unified-7d-status", "allowed"},
        {"anthropic-ratelimit-unified-7d-reset", epoch_plus(500'000)}},
       "",
       "",
       3000,
       {},
       "anthropic-ratelimit-*-reset"},
      {"CodexBodyResetsAtEpoch",
       {},
       R"({"error":{"type":"usage_limit_reached","message":"The usage limit has been reached",)"
       R"("plan_type":"plus","resets_at":)" +
           epoch_plus(3600) + R"(,"resets_in_seconds":3599}})",
       "",
       3600,
       {},
       "body.resets_at"},
      {"BodyResetsAtMilliseconds",
       {},
       R"({"error":{"resets_at":)" + epoch_plus(600) + "000}}",
       "",
       600,
       {},
       "body.resets_at"},
      {"BodyResetAtIso",
       {},
       R"({"reset_at":"2025-05-01T13:00:00Z"})",
       "",
       3600,
       {},
       "body.resets_at"},
      {"BodyNaiveIsoIsUtc",
       {},
       R"({"reset_at":"2025-05-01 13:00:00"})",
       "",
       3600,
       {},
       "body.resets_at"},
      {"BodyIsoWithOffset",
       {},
       R"({"resets_at":"2025-05-01T14:30:00+02:00"})",
       "",
       1800,
       {},
       "body.resets_at"},
      {"BodyResetsInSeconds",
       {},
       R"({"error":{"resets_in_seconds":120}})",
       "",
       120,
       {},
       "body.resets_in_seconds"},
      {"BodyRetryAfter", {}, R"({"retry_after":7})", "", 7, 7'000, "body.retry_after"},
      {"GoogleRetryDelay",
       {},
       R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[)"
       R"({"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},)"
       R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"13s"}]}})",
       "",
       13,
       13'000,
       "body.retryDelay"},
      {"MessageTryAgainIn",
       {},
       "",
       "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 20s.",
       20,
       20'000,
       "message"},
      {"MessageRetryAfterSeconds",
       {},
       "",
       "Too many requests, retry after 30 seconds",
       30,
       30'000,
       "message"},
      {"MessageGeminiRetryIn", {}, "", "Please retry in 13.539124563s.", 14, 13'540, "message"},
      {"MessageResetsInHoursAndMinutes",
       {},
       "",
       "You have hit your usage limit. Limit resets in 4hr 5min.",
       14'700,
       {},
       "message"},
      {"MessageQuotaResetDelay",
       {},
       "",
       "quota exceeded, quotaResetDelay: 500ms",
       1,
       500,
       "message"},
      {"MessageExplicitRetryBeatsResetsIn",
       {},
       "",
       "Quota resets in 4hr 5min; retry after 30 seconds",
       30,
       30'000,
       "message"},
      {"BodyRetryAfterBeatsRetryAfterHeader",
       {{"Retry-After", "30"}},
       R"({"retry_after":5})",
       "",
       5,
       5'000,
       "body.retry_after"},
      {"RetryAfterHeaderBeatsRateLimitHeaders",
       {{"Retry-After", "30"}, {"x-ratelimit-reset-tokens", "6m0s"}},
       "",
       "",
       30,
       30'000,
       "retry-after"},
      {"BodyResetBeatsHeaderButHeaderStillGivesTheWait",
       {{"Retry-After", "30"}},
       R"({"error":{"resets_at":)" + epoch_plus(7200) + "}}",
       "",
       7200,
       30'000,
       "body.resets_at"},
      {"PastResetIsIgnoredAndTheNextSourceUsed",
       {{"Retry-After", "10"}},
       R"({"error":{"resets_at":)" + epoch_plus(-100) + "}}",
       "",
       10,
       10'000,
       "retry-after"},
      {"PastResetAloneIsReportedAsPast",
       {},
       R"({"resets_at":)" + epoch_plus(-100) + "}",
       "",
       -100,
       {},
       "body.resets_at"},
      {"RetryAfterDateAlreadyPastAsksForNoWait",
       {{"Retry-After", "Wed, 30 Apr 2025 12:00:00 GMT"}},
       "",
       "",
       0,
       0,
       "retry-after"},
      {"PastFamilyResetIsReportedWhenNoneIsAhead",
       {{"anthropic-ratelimit-tokens-reset", "2025-05-01T11:59:00Z"}},
       "",
       "",
       -60,
       {},
       "anthropic-ratelimit-*-reset"},
      {"DistantResetIsLeftForTheCooldownToClamp",
       {{"x-ratelimit-reset-requests", "2000h"}},
       "",
       "",
       2000 * 3600,
       {},
       "x-ratelimit-reset-*"},
      {"NothingGivesNone", {{"content-type", "application/json"}}, "", "Bad things", {}, {}, ""},
      {"MalformedValuesAreIgnored",
       {{"Retry-After", "soon"}, {"x-ratelimit-reset", "-5"}},
       R"({"resets_at":{"nested":true},"retry_after":"later"})",
       "",
       {},
       {},
       ""},
  };
  return cases;
}

TEST(ResetHints, EachProviderFormatGivesTheExpectedReset) {
  for (const HintCase& c : hint_cases()) {
    SCOPED_TRACE(c.name);
    const nlohmann::json body =
        c.body.empty() ? nlohmann::json() : nlohmann::json::parse(c.body, nullptr, false);

    const ResetHints hints = parse_reset_hints(c.headers, body, c.message, kNoon);

    if (c.resets_in) {
      ASSERT_TRUE(hints.resets_at.has_value());
      EXPECT_EQ(to_epoch(*hints.resets_at) - to_epoch(kNoon), *c.resets_in);
    } else {
      EXPECT_FALSE(hints.resets_at.has_value());
    }
    if (c.wait_ms) {
      ASSERT_TRUE(hints.retry_after.has_value());
      EXPECT_EQ(hints.retry_after->count(), *c.wait_ms);
    } else {
      EXPECT_FALSE(hints.retry_after.has_value());
    }
    EXPECT_EQ(hints.source, c.source);
  }
}

TEST(ResetHints, NumbersAreDeltasEpochSecondsOrEpochMilliseconds) {
  struct Case {
    double value;
    std::optional<long long> expected_epoch;
  };
  const long long now = to_epoch(kNoon);
  const std::vector<Case> cases = {
      {0, std::nullopt},
      {-3, std::nullopt},
      {60, now + 60},
      {1.5, now + 2},
      {static_cast<double>(now + 90), now + 90},
      {static_cast<double>(now + 45) * 1000, now + 45},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);

    const auto t = time_from_number(c.value, kNoon);

    ASSERT_EQ(t.has_value(), c.expected_epoch.has_value());
    if (t) {
      EXPECT_EQ(to_epoch(*t), *c.expected_epoch);
    }
  }
}

}  // namespace
}  // namespace credpool::core
