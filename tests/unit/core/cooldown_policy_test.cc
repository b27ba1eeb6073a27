#include "core/cooldown_policy.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/failures.h"

namespace credpool::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

using fixtures::failure;
using fixtures::kDefaults;
using fixtures::kNoon;

TEST(CooldownPolicy, DefaultWaitsFollowTheDesignTable) {
  struct Row {
    FailureReason reason;
    int status;
    bool sole;
    seconds expected;
  };
  const Row rows[] = {
      {FailureReason::Auth, 401, false, seconds(300)},
      {FailureReason::Auth, 401, true, seconds(300)},
      {FailureReason::RateLimit, 429, false, hours(1)},
      {FailureReason::RateLimit, 429, true, seconds(60)},
      {FailureReason::Quota, 402, false, hours(1)},
      {FailureReason::Quota, 402, true, hours(1)},
      {FailureReason::Quota, 429, true, hours(1)},  // insufficient_quota arrives as a 429
      {FailureReason::Forbidden, 403, false, hours(1)},
      {FailureReason::Forbidden, 403, true, seconds(60)},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(testing::Message() << row.reason << " " << row.status << " sole=" << row.sole);

    const Cooldown c =
        compute_cooldown(failure(row.reason, row.status), row.sole, 0, kDefaults, kNoon);

    EXPECT_EQ(c.until, kNoon + row.expected);
    EXPECT_EQ(c.source, ResetSource::Default);
    EXPECT_FALSE(c.dead);
  }
}

TEST(CooldownPolicy, ReasonOverrideWinsOverStatusOverride) {
  auto policy = CooldownPolicy::from_table({{"429", seconds(100)}, {"rate_limit", seconds(200)}});
  ASSERT_TRUE(policy.has_value());

  const seconds wait = policy->base_wait(failure(FailureReason::RateLimit, 429), false);

  EXPECT_EQ(wait, seconds(200));
}

TEST(CooldownPolicy, StatusOverrideAppliesWhenNoReasonKeyMatches) {
  auto policy = CooldownPolicy::from_table({{"402", seconds(86400)}});
  ASSERT_TRUE(policy.has_value());

  EXPECT_EQ(policy->base_wait(failure(FailureReason::Quota, 402), false), seconds(86400));
  EXPECT_EQ(policy->base_wait(failure(FailureReason::Quota, 429), false), hours(1));
}

TEST(CooldownPolicy, SoleKeyReplacesTheSoleCredentialWait) {
  auto policy = CooldownPolicy::from_table({{"sole", seconds(10)}});
  ASSERT_TRUE(policy.has_value());

  EXPECT_EQ(policy->base_wait(failure(FailureReason::RateLimit, 429), true), seconds(10));
  EXPECT_EQ(policy->base_wait(failure(FailureReason::RateLimit, 429), false), hours(1));
}

TEST(CooldownPolicy, FromTableRejectsUnknownKeysAndNegativeWaits) {
  auto bad_key = CooldownPolicy::from_table({{"teapot", seconds(1)}});
  auto negative = CooldownPolicy::from_table({{"429", seconds(-1)}});

  ASSERT_FALSE(bad_key.has_value());
  EXPECT_NE(bad_key.error().message.find("teapot"), std::string::npos);
  EXPECT_FALSE(negative.has_value());
}

TEST(CooldownPolicy, BaseWaitIsTotalOverEveryReason) {
  const FailureReason never_cooled[] = {
      FailureReason::Unknown,         FailureReason::UpstreamRateLimit,
      FailureReason::UpstreamBlocked, FailureReason::Overloaded,
      FailureReason::Server,          FailureReason::Timeout,
      FailureReason::ContextOverflow, FailureReason::ContentPolicy,
      FailureReason::BadRequest,
  };
  for (FailureReason reason : never_cooled) {
    SCOPED_TRACE(testing::Message() << reason);

    const seconds wait = kDefaults.base_wait(failure(reason, 0), false);

    EXPECT_GT(wait, seconds(0));
  }
}

// A provider reset as the classifier reports it: resets_at and retry_after relative to kNoon.
struct ResetCase {
  std::string name;
  std::optional<seconds> resets_in;
  std::optional<milliseconds> retry_after;
  seconds expected_wait;
  ResetSource expected_source;
};

TEST(CooldownPolicy, ProviderResetBeatsTheDefaultInBothDirectionsAndIsNeverShortened) {
  const std::vector<ResetCase> cases = {
      {"LongerThanTheDefault", hours(24 * 7), {}, hours(24 * 7), ResetSource::Provider},
      {"ShorterThanTheDefault", seconds(7), {}, seconds(7), ResetSource::Provider},
      {"RetryAfterAloneRoundsUp", {}, milliseconds(1500), seconds(2), ResetSource::Provider},
      {"RetryAfterLongerThanTheResetWins", seconds(10), milliseconds(60'000), seconds(60),
       ResetSource::Provider},
      {"ResetLongerThanTheRetryAfterWins", seconds(90), milliseconds(5'000), seconds(90),
       ResetSource::Provider},
      {"JustUnderThirtyOneDaysIsBelieved",
       hours(24 * 30 + 12),
       {},
       hours(24 * 30 + 12),
       ResetSource::Provider},
  };
  for (const ResetCase& c : cases) {
    SCOPED_TRACE(c.name);
    Failure f = failure(FailureReason::RateLimit, 429);
    if (c.resets_in) f.resets_at = kNoon + *c.resets_in;
    f.retry_after = c.retry_after;

    const Cooldown cooldown = compute_cooldown(f, false, 3, kDefaults, kNoon);

    EXPECT_EQ(cooldown.until, kNoon + c.expected_wait);
    EXPECT_EQ(cooldown.source, c.expected_source);
    EXPECT_FALSE(cooldown.probe_at.has_value());
  }
}

TEST(CooldownPolicy, ResetAlreadyPastCoolsOnlyForTheSoleWait) {
  const std::vector<ResetCase> cases = {
      {"ResetInThePast", -seconds(5), {}, seconds(60), ResetSource::Default},
      {"ResetExactlyNow", seconds(0), {}, seconds(60), ResetSource::Default},
      {"RetryAfterZero", seconds(0), milliseconds(0), seconds(60), ResetSource::Default},
  };
  for (const ResetCase& c : cases) {
    SCOPED_TRACE(c.name);
    Failure f = failure(FailureReason::Quota, 429);
    if (c.resets_in) f.resets_at = kNoon + *c.resets_in;
    f.retry_after = c.retry_after;

    const Cooldown cooldown = compute_cooldown(f, /*sole_usable=*/false, 0, kDefaults, kNoon);

    EXPECT_EQ(cooldown.until, kNoon + c.expected_wait);
    EXPECT_EQ(cooldown.source, c.expected_source);
  }
}

TEST(CooldownPolicy, ResetAlreadyPastUsesTheConfiguredSoleWait) {
  auto policy = CooldownPolicy::from_table({{"sole", seconds(15)}});
  ASSERT_TRUE(policy.has_value());
  Failure f = failure(FailureReason::RateLimit, 429);
  f.resets_at = kNoon - seconds(30);

  const Cooldown cooldown = compute_cooldown(f, false, 0, *policy, kNoon);

  EXPECT_EQ(cooldown.until, kNoon + seconds(15));
}

TEST(CooldownPolicy, ResetBeyondThirtyOneDaysIsClampedWithAProbeAtTheDefaultWait) {
  Failure f = failure(FailureReason::Quota, 402);
  f.resets_at = kNoon + hours(24 * 3650);

  const Cooldown c = compute_cooldown(f, false, 0, kDefaults, kNoon);

  EXPECT_EQ(c.until, kNoon + seconds(2'678'400));
  EXPECT_EQ(c.source, ResetSource::ProviderClamped);
  ASSERT_TRUE(c.probe_at.has_value());
  EXPECT_EQ(*c.probe_at, kNoon + hours(1));  // 402: the default cooldown
}

TEST(CooldownPolicy, RetryAfterBeyondMaxCooldownIsClamped) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.retry_after = std::chrono::duration_cast<milliseconds>(hours(24 * 365 * 50));

  const Cooldown c = compute_cooldown(f, true, 0, kDefaults, kNoon);

  EXPECT_EQ(c.until, kNoon + kDefaultMaxCooldown);
  EXPECT_EQ(c.source, ResetSource::ProviderClamped);
  EXPECT_EQ(c.probe_at, kNoon + seconds(60));  // the sole credential's default wait
}

TEST(CooldownPolicy, ConfiguredMaxCooldownIsTheClamp) {
  CooldownPolicy policy;
  policy.max_cooldown = hours(24 * 7);
  Failure f = failure(FailureReason::Quota, 429);
  f.resets_at = kNoon + hours(24 * 8);

  const Cooldown c = compute_cooldown(f, false, 0, policy, kNoon);

  EXPECT_EQ(c.until, kNoon + hours(24 * 7));
  EXPECT_EQ(c.source, ResetSource::ProviderClamped);
}

TEST(CooldownPolicy, MaxCooldownDefaultsToThirtyOneDays) {
  const CooldownPolicy policy;

  EXPECT_EQ(policy.max_cooldown, seconds(2'678'400));
}

TEST(CooldownPolicy, RepeatedFailuresWithoutResetDoubleTheWait) {
  const Failure f = failure(FailureReason::Auth, 401);

  EXPECT_EQ(compute_cooldown(f, false, 1, kDefaults, kNoon).until, kNoon + seconds(600));
  EXPECT_EQ(compute_cooldown(f, false, 3, kDefaults, kNoon).until, kNoon + seconds(2400));
}

TEST(CooldownPolicy, DoublingStopsAtTwentyFourHours) {
  const Failure f = failure(FailureReason::RateLimit, 429);

  const Cooldown c = compute_cooldown(f, false, 40, kDefaults, kNoon);

  EXPECT_EQ(c.until, kNoon + hours(24));
}

TEST(CooldownPolicy, TerminalAuthFailureIsDead) {
  Failure f = failure(FailureReason::Auth, 401);
  f.terminal = true;

  EXPECT_TRUE(compute_cooldown(f, false, 0, kDefaults, kNoon).dead);
}

TEST(CooldownPolicy, RateLimitAndQuotaNeverKillACredential) {
  Failure limited = failure(FailureReason::RateLimit, 429);
  limited.terminal = true;
  Failure spent = failure(FailureReason::Quota, 402);
  spent.terminal = true;

  EXPECT_FALSE(compute_cooldown(limited, false, 0, kDefaults, kNoon).dead);
  EXPECT_FALSE(compute_cooldown(spent, false, 0, kDefaults, kNoon).dead);
}

TEST(CooldownPolicy, ExhaustionCarriesTheFailureAndTheCooldown) {
  Failure f = failure(FailureReason::Quota, 402);
  f.error_code = "insufficient_quota";
  f.message = "You exceeded your current quota";
  const Cooldown c{kNoon + hours(1), ResetSource::Default, false, std::nullopt};

  const Exhaustion e = make_exhaustion(f, c, kNoon);

  EXPECT_EQ(e.status_code, 402);
  EXPECT_EQ(e.reason, FailureReason::Quota);
  EXPECT_EQ(e.error_code, "insufficient_quota");
  EXPECT_EQ(e.message, "You exceeded your current quota");
  EXPECT_EQ(e.at, kNoon);
  EXPECT_EQ(e.resets_at, kNoon + hours(1));
  EXPECT_EQ(e.reset_source, ResetSource::Default);
  EXPECT_FALSE(e.dead);
}

}  // namespace
}  // namespace credpool::core
