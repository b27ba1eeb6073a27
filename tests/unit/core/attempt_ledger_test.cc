#include "core/ledger/attempt_ledger.h"

#include <gtest/gtest.h>

#include "support/failures.h"

namespace credpool::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

using fixtures::failure;
using fixtures::kNoon;

LedgerStep step(std::string provider, std::string model = "gpt-4o") {
  return LedgerStep{std::move(provider), std::move(model), false, {}};
}

PickedFacts credential(std::string id, AuthType type = AuthType::ApiKey) {
  return PickedFacts{id, id + "-label", type, 0};
}

PoolShortage cooling_until(WallTime until) {
  return PoolShortage{2, until, {{"a-label", "rate_limit", until}}};
}

const PoolShortage kEmptyPool{0, std::nullopt, {}};

// Starts a one-step openai ledger and sends with credential "a".
AttemptLedger sending_with_a(std::vector<LedgerStep> steps = {step("openai")}) {
  AttemptLedger ledger(std::move(steps), 42);
  EXPECT_EQ(ledger.start(kNoon).kind, ActionKind::Pick);
  EXPECT_EQ(ledger.on_picked(credential("a"), {}, kNoon).kind, ActionKind::Send);
  return ledger;
}

bool has_note(const Action& action, NoteKind kind) {
  for (const Note& n : action.notes) {
    if (n.kind == kind) return true;
  }
  return false;
}

// --- One line per row of DESIGN.md's recovery table -------------------------------------------

TEST(AttemptLedger, RateLimitWithAFreeSiblingMarksThenRotatesAtOnce) {
  AttemptLedger ledger = sending_with_a();

  const Action mark = ledger.on_failure(failure(FailureReason::RateLimit, 429), true, kNoon);
  const Action next = ledger.on_marked(kNoon);

  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(mark.mark->credential_id, "a");
  EXPECT_EQ(mark.mark->exhaustion.resets_at, kNoon + hours(1));
  EXPECT_EQ(next.kind, ActionKind::Pick);
  EXPECT_TRUE(has_note(next, NoteKind::Rotate));
}

TEST(AttemptLedger, RateLimitOfTheLoneKeyWithShortRetryAfterWaitsAtLeastThatLongWithoutMark) {
  AttemptLedger ledger = sending_with_a();
  Failure limited = failure(FailureReason::RateLimit, 429);
  limited.retry_after = milliseconds(2000);

  const Action wait = ledger.on_failure(limited, false, kNoon);
  const Action again = ledger.on_waited(wait.wait, kNoon);

  ASSERT_EQ(wait.kind, ActionKind::Wait);
  EXPECT_GE(wait.wait, milliseconds(2000));  // jitter only adds: never before the provider's time
  EXPECT_LE(wait.wait, milliseconds(2400));
  EXPECT_EQ(again.kind, ActionKind::Send);
  EXPECT_TRUE(again.retry);
}

TEST(AttemptLedger, SecondRateLimitOfTheLoneKeyMarksItAndAnswersExhaustedWithItsReset) {
  AttemptLedger ledger = sending_with_a();
  Failure limited = failure(FailureReason::RateLimit, 429);
  limited.retry_after = milliseconds(2000);
  const Action wait = ledger.on_failure(limited, false, kNoon);
  (void)ledger.on_waited(wait.wait, kNoon);

  const Action mark = ledger.on_failure(limited, false, kNoon + seconds(2));
  const Action pick = ledger.on_marked(kNoon + seconds(2));
  const Action end = ledger.on_picked(std::nullopt, cooling_until(kNoon + seconds(4)), kNoon);

  EXPECT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(pick.kind, ActionKind::Pick);
  ASSERT_EQ(end.kind, ActionKind::Answer);
  EXPECT_EQ(end.own, OwnAnswer::CredentialsExhausted);
  EXPECT_EQ(end.retry_after, seconds(4));
}

TEST(AttemptLedger, QuotaMarksAndRotates) {
  AttemptLedger ledger = sending_with_a();

  const Action mark = ledger.on_failure(failure(FailureReason::Quota, 402), true, kNoon);

  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(mark.mark->exhaustion.reason, FailureReason::Quota);
  EXPECT_EQ(ledger.on_marked(kNoon).kind, ActionKind::Pick);
}

TEST(AttemptLedger, ForbiddenMarksWithReauthRequired) {
  AttemptLedger ledger = sending_with_a();

  const Action mark = ledger.on_failure(failure(FailureReason::Forbidden, 403), true, kNoon);

  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(mark.mark->note, "re-auth required");
}

TEST(AttemptLedger, ApiKeyAuthFailureCoolsFiveMinutes) {
  AttemptLedger ledger = sending_with_a();

  const Action mark = ledger.on_failure(failure(FailureReason::Auth, 401), true, kNoon);

  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(mark.mark->exhaustion.resets_at, kNoon + minutes(5));
}

TEST(AttemptLedger, OAuthAuthFailureRefreshesThenRetriesTheSameCredential) {
  AttemptLedger ledger({step("openai-codex")}, 1);
  (void)ledger.start(kNoon);
  (void)ledger.on_picked(credential("a", AuthType::OAuth), {}, kNoon);

  const Action refresh = ledger.on_failure(failure(FailureReason::Auth, 401), true, kNoon);
  const Action retry = ledger.on_refreshed(true, true, kNoon);

  EXPECT_EQ(refresh.kind, ActionKind::Refresh);
  EXPECT_EQ(retry.kind, ActionKind::Send);
  EXPECT_TRUE(retry.retry);
}

TEST(AttemptLedger, FailedRefreshMarksTheOAuthCredential) {
  AttemptLedger ledger({step("openai-codex")}, 1);
  (void)ledger.start(kNoon);
  (void)ledger.on_picked(credential("a", AuthType::OAuth), {}, kNoon);
  (void)ledger.on_failure(failure(FailureReason::Auth, 401), true, kNoon);

  const Action mark = ledger.on_refreshed(false, true, kNoon);

  EXPECT_EQ(mark.kind, ActionKind::Mark);
}

TEST(AttemptLedger, AggregatorUpstreamTroubleNeverMarksAndFallsBack) {
  for (FailureReason reason : {FailureReason::UpstreamRateLimit, FailureReason::UpstreamBlocked}) {
    SCOPED_TRACE(testing::Message() << reason);
    AttemptLedger ledger = sending_with_a({step("openrouter"), step("openai")});

    const Action next = ledger.on_failure(failure(reason, 429), true, kNoon);

    ASSERT_EQ(next.kind, ActionKind::Pick);
    EXPECT_TRUE(has_note(next, NoteKind::Fallback));
    EXPECT_EQ(ledger.step().provider, "openai");
  }
}

TEST(AttemptLedger, ServerErrorsRetryTwiceThenPassTheAnswerThroughWithoutMark) {
  for (FailureReason reason : {FailureReason::Overloaded, FailureReason::Server}) {
    SCOPED_TRACE(testing::Message() << reason);
    AttemptLedger ledger = sending_with_a();
    const Failure down = failure(reason, 503);

    const Action first = ledger.on_failure(down, true, kNoon);
    (void)ledger.on_waited(first.wait, kNoon);
    const Action second = ledger.on_failure(down, true, kNoon);
    (void)ledger.on_waited(second.wait, kNoon);
    const Action end = ledger.on_failure(down, true, kNoon);

    EXPECT_EQ(first.kind, ActionKind::Wait);
    EXPECT_GE(first.wait, milliseconds(250));
    EXPECT_EQ(second.kind, ActionKind::Wait);
    EXPECT_GE(second.wait, milliseconds(1000));
    EXPECT_EQ(end.kind, ActionKind::PassThrough);
    EXPECT_EQ(ledger.attempts(), 3);
  }
}

TEST(AttemptLedger, ConnectFailuresRetryThenAnswer502) {
  AttemptLedger ledger = sending_with_a();

  const Action first = ledger.on_transport_error(false, true, kNoon);
  (void)ledger.on_waited(first.wait, kNoon);
  const Action second = ledger.on_transport_error(false, true, kNoon);
  (void)ledger.on_waited(second.wait, kNoon);
  const Action end = ledger.on_transport_error(false, true, kNoon);

  ASSERT_EQ(end.kind, ActionKind::Answer);
  EXPECT_EQ(end.own, OwnAnswer::UpstreamUnreachable);
}

TEST(AttemptLedger, TimeoutAnswers504AtOnceWithoutRetryOrMark) {
  AttemptLedger ledger = sending_with_a({step("openai"), step("openrouter")});

  const Action end = ledger.on_transport_error(true, true, kNoon);

  ASSERT_EQ(end.kind, ActionKind::Answer);
  EXPECT_EQ(end.own, OwnAnswer::UpstreamTimeout);
  EXPECT_EQ(ledger.attempts(), 1);
}

TEST(AttemptLedger, RequestFaultsGoBackToTheClientUnmarked) {
  for (FailureReason reason :
       {FailureReason::BadRequest, FailureReason::ContextOverflow, FailureReason::ContentPolicy}) {
    SCOPED_TRACE(testing::Message() << reason);
    AttemptLedger ledger = sending_with_a({step("openai"), step("openrouter")});

    const Action end = ledger.on_failure(failure(reason, 400), true, kNoon);

    EXPECT_EQ(end.kind, ActionKind::PassThrough);
    EXPECT_TRUE(end.notes.empty());
  }
}

TEST(AttemptLedger, SoftFailureOfABadImageUrlIsPassedThroughWithoutRotating) {
  AttemptLedger ledger = sending_with_a();
  Failure bad_image = failure(FailureReason::BadRequest, 200);
  bad_image.error_code = "invalid_image_url";

  const Action end = ledger.on_failure(bad_image, true, kNoon);

  EXPECT_EQ(end.kind, ActionKind::PassThrough);
  EXPECT_EQ(ledger.attempts(), 1);
}

TEST(AttemptLedger, RedirectIsPassedThroughUnmarked) {
  AttemptLedger ledger = sending_with_a();

  const Action end = ledger.on_failure(failure(FailureReason::BadRequest, 302), true, kNoon);

  EXPECT_EQ(end.kind, ActionKind::PassThrough);
}

TEST(AttemptLedger, UnknownFailureIsPassedThroughAndJournalledUnclassified) {
  AttemptLedger ledger = sending_with_a();

  const Action end = ledger.on_failure(failure(FailureReason::Unknown, 418), true, kNoon);

  EXPECT_EQ(end.kind, ActionKind::PassThrough);
  EXPECT_TRUE(has_note(end, NoteKind::Unclassified));
}

TEST(AttemptLedger, EveryCredentialCoolingAnswers429WithTheEarliestReset) {
  AttemptLedger ledger({step("openai")}, 1);
  (void)ledger.start(kNoon);

  const Action end = ledger.on_picked(std::nullopt, cooling_until(kNoon + seconds(90)), kNoon);

  ASSERT_EQ(end.kind, ActionKind::Answer);
  EXPECT_EQ(end.own, OwnAnswer::CredentialsExhausted);
  EXPECT_EQ(end.retry_after, seconds(90));
  EXPECT_NE(end.message.find("a-label (rate_limit"), std::string::npos);
}

TEST(AttemptLedger, AnEmptyPoolAnswersCredentialsMissingNamingTheCommand) {
  AttemptLedger ledger({step("openai")}, 1);
  (void)ledger.start(kNoon);

  const Action end = ledger.on_picked(std::nullopt, kEmptyPool, kNoon);

  ASSERT_EQ(end.kind, ActionKind::Answer);
  EXPECT_EQ(end.own, OwnAnswer::CredentialsMissing);
  EXPECT_FALSE(end.retry_after.has_value());
  EXPECT_EQ(end.message, "no credentials for openai: add one with `credpool auth add openai`");
}

// --- Routes, fallbacks and races ----------------------------------------------------------------

TEST(AttemptLedger, AFallbackProvidersFailureMarksOnlyItsOwnPool) {
  AttemptLedger ledger({step("openai"), step("openrouter", "openai/gpt-4o")}, 1);
  (void)ledger.start(kNoon);
  const Action fallback = ledger.on_picked(std::nullopt, cooling_until(kNoon + hours(1)), kNoon);
  (void)ledger.on_picked(credential("r"), {}, kNoon);

  const Action mark = ledger.on_failure(failure(FailureReason::RateLimit, 429), false, kNoon);

  EXPECT_TRUE(has_note(fallback, NoteKind::Fallback));
  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(mark.mark->provider, "openrouter");
  EXPECT_EQ(mark.mark->credential_id, "r");
}

TEST(AttemptLedger, AConcurrentlyMarkedSiblingStillLeadsToARotation) {
  // Another request's mark made the pool look sibling-less at classification time; after this
  // request's own mark, the pool is asked again and a free credential is used, not a 429 relayed.
  AttemptLedger ledger = sending_with_a();
  Failure limited = failure(FailureReason::RateLimit, 429);
  limited.resets_at = kNoon + minutes(10);

  const Action mark = ledger.on_failure(limited, false, kNoon);
  const Action pick = ledger.on_marked(kNoon);
  const Action send = ledger.on_picked(credential("b"), {}, kNoon);

  EXPECT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_EQ(pick.kind, ActionKind::Pick);
  EXPECT_EQ(send.kind, ActionKind::Send);
  EXPECT_EQ(ledger.credential().id, "b");
}

TEST(AttemptLedger, RotatingThroughManyCredentialsNeverSpendsTheRetryBudget) {
  AttemptLedger ledger({step("openai")}, 1);
  (void)ledger.start(kNoon);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(ledger.on_picked(credential("c" + std::to_string(i)), {}, kNoon).kind,
              ActionKind::Send);
    ASSERT_EQ(ledger.on_failure(failure(FailureReason::RateLimit, 429), true, kNoon).kind,
              ActionKind::Mark);
    ASSERT_EQ(ledger.on_marked(kNoon).kind, ActionKind::Pick);
  }

  const Action end = ledger.on_picked(std::nullopt, cooling_until(kNoon + hours(1)), kNoon);

  EXPECT_EQ(ledger.attempts(), 10);
  EXPECT_EQ(end.own, OwnAnswer::CredentialsExhausted);
}

TEST(AttemptLedger, APickRepeatingATriedCredentialEndsTheStepOnItsLastAnswer) {
  AttemptLedger ledger = sending_with_a();
  (void)ledger.on_failure(failure(FailureReason::Quota, 402), true, kNoon);
  (void)ledger.on_marked(kNoon);

  const Action end = ledger.on_picked(credential("a"), {}, kNoon);

  EXPECT_EQ(end.kind, ActionKind::PassThrough);
}

TEST(AttemptLedger, AStepOfAnotherWireIsSkippedWithAFallbackNote) {
  std::vector<LedgerStep> steps = {step("anthropic"), step("openai")};
  steps[0].wire_mismatch = true;
  AttemptLedger ledger(std::move(steps), 1);

  const Action first = ledger.start(kNoon);

  EXPECT_EQ(first.kind, ActionKind::Pick);
  EXPECT_EQ(ledger.step().provider, "openai");
  ASSERT_EQ(first.notes.size(), 1u);
  EXPECT_EQ(first.notes[0].reason, "wire_mismatch");
}

TEST(AttemptLedger, ARouteEndingOnAnUpstreamAnswerAfterAnExhaustedStepPassesItThrough) {
  AttemptLedger ledger({step("openai"), step("openrouter")}, 1);
  (void)ledger.start(kNoon);
  (void)ledger.on_picked(std::nullopt, cooling_until(kNoon + hours(1)), kNoon);
  (void)ledger.on_picked(credential("r"), {}, kNoon);

  const Action end = ledger.on_failure(failure(FailureReason::UpstreamRateLimit, 429), true, kNoon);

  EXPECT_EQ(end.kind, ActionKind::PassThrough);
}

TEST(AttemptLedger, ModelScopedLimitMarksOnlyThatModel) {
  AttemptLedger ledger = sending_with_a({step("anthropic", "claude-sonnet")});
  Failure limited = failure(FailureReason::RateLimit, 429);
  limited.model_scoped = true;

  const Action mark = ledger.on_failure(limited, true, kNoon);

  ASSERT_EQ(mark.kind, ActionKind::Mark);
  EXPECT_TRUE(mark.mark->model_scoped);
  EXPECT_EQ(mark.mark->model, "claude-sonnet");
}

TEST(AttemptLedger, ClientGoneStopsTheRequest) {
  AttemptLedger ledger = sending_with_a();

  EXPECT_EQ(ledger.on_client_gone().kind, ActionKind::Stop);
  EXPECT_EQ(ledger.on_failure(failure(FailureReason::Quota, 402), true, kNoon).kind,
            ActionKind::Stop);
}

TEST(AttemptLedger, CleanResponseIsRelayed) {
  AttemptLedger ledger = sending_with_a();

  EXPECT_EQ(ledger.on_clean_response().kind, ActionKind::Relay);
}

}  // namespace
}  // namespace credpool::core
