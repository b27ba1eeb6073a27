#include "core/recovery_policy.h"

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

TEST(RecoveryPolicy, RateLimitRotatesAtOnceWhenAnotherCredentialIsUsable) {
  const Recovery r = decide_recovery(failure(FailureReason::RateLimit, 429),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + hours(1));
}

TEST(RecoveryPolicy, RateLimitCoolsUntilTheProviderResetWhenGiven) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.resets_at = kNoon + seconds(90);

  const Recovery r = decide_recovery(f, {.another_credential_usable = true}, kDefaults, kNoon);

  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(90));
  EXPECT_EQ(r.cooldown->source, ResetSource::Provider);
}

TEST(RecoveryPolicy, SoleCredentialRateLimitWithShortWaitRetriesTheSameOnce) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.retry_after = milliseconds(2000);

  const Recovery r = decide_recovery(f, {.another_credential_usable = false}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RetrySameAfter);
  EXPECT_EQ(r.wait, milliseconds(2000));
  EXPECT_FALSE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, SoleCredentialSecondRateLimitCoolsAndFallsBack) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.retry_after = milliseconds(2000);

  const Recovery r =
      decide_recovery(f, {.another_credential_usable = false, .rate_limits_on_this_credential = 1},
                      kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(2));
}

TEST(RecoveryPolicy, SoleCredentialRateLimitWithLongWaitCoolsAndFallsBack) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.retry_after = seconds(30);

  const Recovery r = decide_recovery(f, {}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(30));
}

TEST(RecoveryPolicy, SoleCredentialRateLimitWithoutAWaitCoolsSixtySecondsAndFallsBack) {
  const Recovery r = decide_recovery(failure(FailureReason::RateLimit, 429), {}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(60));
}

TEST(RecoveryPolicy, SoleCredentialRetryNeverPushesTheRequestPastFiveSecondsOfSleep) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.retry_after = seconds(3);

  const Recovery r = decide_recovery(f, {.waited_so_far = seconds(3)}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
}

TEST(RecoveryPolicy, QuotaCoolsAndRotates) {
  const Recovery r = decide_recovery(failure(FailureReason::Quota, 402),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + hours(1));
}

TEST(RecoveryPolicy, ForbiddenCoolsRotatesAndAsksForReauth) {
  const Recovery r = decide_recovery(failure(FailureReason::Forbidden, 403),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.note, "re-auth required");
}

TEST(RecoveryPolicy, OAuthAuthFailureRefreshesWithoutCooling) {
  const Recovery r =
      decide_recovery(failure(FailureReason::Auth, 401),
                      {.auth_type = AuthType::OAuth, .refreshes_done = 1}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RefreshThenRetry);
  EXPECT_FALSE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, OAuthAuthFailureAfterTwoRefreshesCoolsAndRotates) {
  const Recovery r = decide_recovery(
      failure(FailureReason::Auth, 401),
      {.another_credential_usable = true, .auth_type = AuthType::OAuth, .refreshes_done = 2},
      kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(300));
}

TEST(RecoveryPolicy, FailedRefreshCoolsInsteadOfRefreshingAgain) {
  const Recovery r = decide_recovery(
      failure(FailureReason::Auth, 0),
      {.another_credential_usable = true, .auth_type = AuthType::OAuth, .refresh_failed = true},
      kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, ApiKeyAuthFailureCoolsForFiveMinutes) {
  const Recovery r = decide_recovery(failure(FailureReason::Auth, 401),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(300));
  EXPECT_FALSE(r.cooldown->dead);
}

TEST(RecoveryPolicy, TerminalAuthFailureMarksTheCredentialDead) {
  Failure f = failure(FailureReason::Auth, 401);
  f.error_code = "token_revoked";
  f.terminal = true;

  const Recovery r = decide_recovery(f, {.another_credential_usable = true}, kDefaults, kNoon);

  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_TRUE(r.cooldown->dead);
  EXPECT_EQ(r.next, NextStep::RotateNow);
}

TEST(RecoveryPolicy, UpstreamRateLimitFallsBackWithoutMarking) {
  const Recovery r = decide_recovery(failure(FailureReason::UpstreamRateLimit, 429),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  EXPECT_FALSE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, UpstreamBlockedFallsBackWithoutMarking) {
  const Recovery r = decide_recovery(failure(FailureReason::UpstreamBlocked, 403),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  EXPECT_FALSE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, TransientFailuresRetryAfterQuarterSecondThenOneSecondThenFallBack) {
  for (FailureReason reason : {FailureReason::Overloaded, FailureReason::Server}) {
    SCOPED_TRACE(testing::Message() << reason);
    const Failure f = failure(reason, 503);

    const Recovery first = decide_recovery(f, {}, kDefaults, kNoon);
    const Recovery second = decide_recovery(
        f, {.transient_retries_on_this_credential = 1, .waited_so_far = milliseconds(250)},
        kDefaults, kNoon);
    const Recovery third = decide_recovery(
        f, {.transient_retries_on_this_credential = 2, .waited_so_far = milliseconds(1250)},
        kDefaults, kNoon);

    EXPECT_EQ(first.next, NextStep::RetrySameAfter);
    EXPECT_EQ(first.wait, milliseconds(250));
    EXPECT_EQ(second.next, NextStep::RetrySameAfter);
    EXPECT_EQ(second.wait, milliseconds(1000));
    EXPECT_EQ(third.next, NextStep::FallBack);
    EXPECT_FALSE(first.cooldown || second.cooldown || third.cooldown);
  }
}

TEST(RecoveryPolicy, RequestErrorsGoBackToTheClientUntouched) {
  for (FailureReason reason :
       {FailureReason::ContextOverflow, FailureReason::ContentPolicy, FailureReason::BadRequest}) {
    SCOPED_TRACE(testing::Message() << reason);

    const Recovery r = decide_recovery(failure(reason, 400), {.another_credential_usable = true},
                                       kDefaults, kNoon);

    EXPECT_EQ(r.next, NextStep::ReturnToClient);
    EXPECT_FALSE(r.cooldown.has_value());
  }
}

TEST(RecoveryPolicy, UnknownFailureIsReturnedToTheClientWithoutMarking) {
  for (const bool another : {true, false}) {
    SCOPED_TRACE(another);

    const Recovery r = decide_recovery(failure(FailureReason::Unknown, 418),
                                       {.another_credential_usable = another}, kDefaults, kNoon);

    EXPECT_EQ(r.next, NextStep::ReturnToClient);
    EXPECT_FALSE(r.cooldown.has_value());
  }
}

TEST(RecoveryPolicy, TimeoutAnswersAtOnceWithoutRetryOrMark) {
  const Recovery r = decide_recovery(failure(FailureReason::Timeout, 0),
                                     {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::ReturnToClient);
  EXPECT_FALSE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, NoOtherUsableCredentialTurnsRotationIntoFallBack) {
  const Recovery r = decide_recovery(failure(FailureReason::Quota, 402), {}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::FallBack);
  ASSERT_TRUE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, ModelScopedRateLimitCoolsTheModelOnly) {
  Failure f = failure(FailureReason::RateLimit, 429);
  f.model_scoped = true;

  const Recovery r = decide_recovery(f, {.another_credential_usable = true}, kDefaults, kNoon);

  EXPECT_EQ(r.next, NextStep::RotateNow);
  EXPECT_TRUE(r.model_scoped);
  ASSERT_TRUE(r.cooldown.has_value());
}

TEST(RecoveryPolicy, RepeatedFailureOfTheSameCredentialDoublesItsCooldown) {
  const Recovery r =
      decide_recovery(failure(FailureReason::Auth, 401),
                      {.another_credential_usable = true, .failure_streak = 2}, kDefaults, kNoon);

  ASSERT_TRUE(r.cooldown.has_value());
  EXPECT_EQ(r.cooldown->until, kNoon + seconds(1200));
}

TEST(RecoveryPolicy, JitterOnlyAddsAtMostTwentyPercent) {
  SplitMixRandom random(7);

  for (int i = 0; i < 1000; ++i) {
    const milliseconds w = jittered(milliseconds(1000), milliseconds(5000), random);
    ASSERT_GE(w, milliseconds(1000));
    ASSERT_LE(w, milliseconds(1200));
  }
}

TEST(RecoveryPolicy, JitterNeverPassesTheSleepBudget) {
  SplitMixRandom random(7);

  for (int i = 0; i < 1000; ++i) {
    const milliseconds w = jittered(milliseconds(4900), milliseconds(5000), random);
    ASSERT_GE(w, milliseconds(4900));
    ASSERT_LE(w, milliseconds(5000));
  }
}

}  // namespace
}  // namespace credpool::core
