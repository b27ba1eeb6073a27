#include "core/pool.h"

#include <gtest/gtest.h>

namespace credpool::core {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const WallTime kNoon = from_epoch(1'700'000'000);

Credential entry(std::string id, std::string label, int priority = 0) {
  Credential c;
  c.id = std::move(id);
  c.label = std::move(label);
  c.priority = priority;
  c.access_token = Secret("sk-test-" + c.id + "-0123456789");
  return c;
}

Exhaustion cooling_until(WallTime until, ResetSource source = ResetSource::Default) {
  Exhaustion e;
  e.status_code = 429;
  e.reason = FailureReason::RateLimit;
  e.at = kNoon;
  e.resets_at = until;
  e.reset_source = source;
  return e;
}

Exhaustion dead() {
  Exhaustion e;
  e.status_code = 401;
  e.reason = FailureReason::Auth;
  e.at = kNoon;
  e.dead = true;
  return e;
}

Pool make_pool(std::vector<Credential> entries, Strategy strategy = Strategy::FillFirst) {
  auto pool = Pool::from_entries("openai", std::move(entries), strategy, std::nullopt, nullptr);
  EXPECT_TRUE(pool.has_value());
  return std::move(pool).value();
}

Pool three() {
  return make_pool({entry("a", "one", 0), entry("b", "two", 1), entry("c", "three", 2)});
}

TEST(Pool, FromEntriesSortsByPriorityAndKeepsThePrioritiesAsStored) {
  Pool pool = make_pool({entry("b", "two", 5), entry("a", "one", 2), entry("c", "three", 2)});

  ASSERT_EQ(pool.size(), 3U);
  EXPECT_EQ(pool.entries()[0].id, "a");
  EXPECT_EQ(pool.entries()[1].id, "c");  // a tie keeps file order
  EXPECT_EQ(pool.entries()[0].priority, 2);
  EXPECT_EQ(pool.entries()[2].priority, 5);
}

TEST(Pool, FromEntriesAcceptsLabelsThatDifferOnlyInCase) {
  auto pool = Pool::from_entries("openai", {entry("a", "Main"), entry("b", "main")},
                                 Strategy::FillFirst, std::nullopt, nullptr);

  ASSERT_TRUE(pool.has_value());
  EXPECT_EQ(pool->size(), 2U);
}

TEST(Pool, FromEntriesRejectsDuplicateIds) {
  auto pool = Pool::from_entries("openai", {entry("a", "x"), entry("a", "y")}, Strategy::FillFirst,
                                 std::nullopt, nullptr);

  ASSERT_FALSE(pool.has_value());
  EXPECT_EQ(pool.error().code, ErrorCode::InvalidArgument);
}

TEST(Pool, ResolveOfALabelSeveralRowsShareFailsNamingTheirIdsAndIndexes) {
  Pool pool = make_pool({entry("a1", "Main", 0), entry("b2", "other", 1), entry("c3", "main", 2)});

  auto r = pool.resolve("MAIN");

  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("#1 id a1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("#3 id c3"), std::string::npos) << r.error().message;
  EXPECT_EQ(*pool.resolve("c3"), &pool.entries()[2]);
  EXPECT_EQ(*pool.resolve("3"), &pool.entries()[2]);
}

TEST(Pool, MarkCoolsEveryRowHoldingTheSameSecret) {
  Credential manual = entry("m", "mine", 0);
  Credential env = entry("e", "OPENAI_API_KEY", 1);
  env.source = "env:OPENAI_API_KEY";
  env.access_token = manual.access_token;
  Pool pool = make_pool({manual, env, entry("x", "other", 2)});

  ASSERT_TRUE(pool.mark("m", cooling_until(kNoon + hours(1))));

  EXPECT_EQ(health_at(*pool.find("e"), kNoon), Health::Cooling);
  EXPECT_EQ(pool.select(kNoon)->id, "x");
}

TEST(Pool, ARowWhoseTokensChangedToAnotherRowsSecretIsMarkedWithIt) {
  Pool pool = three();
  ASSERT_TRUE(pool.update_tokens("c", pool.find("a")->access_token, {}, std::nullopt));

  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + hours(1))));

  EXPECT_EQ(health_at(*pool.find("c"), kNoon), Health::Cooling);
  EXPECT_EQ(health_at(*pool.find("b"), kNoon), Health::Ok);
}

TEST(Pool, ModelMarkCoolsEveryRowHoldingTheSameSecret) {
  Credential manual = entry("m", "mine", 0);
  Credential env = entry("e", "OPENAI_API_KEY", 1);
  env.access_token = manual.access_token;
  Pool pool = make_pool({manual, env});

  ASSERT_TRUE(pool.mark_model("e", "gpt-x", kNoon + hours(1)));

  EXPECT_EQ(pool.usable_count(kNoon, "gpt-x"), 0U);
}

TEST(Pool, AFailureOlderThanStatusClearedAtIsNotInForce) {
  Credential cleared = entry("a", "one");
  cleared.exhaustion = cooling_until(kNoon + hours(1));
  cleared.status_cleared_at = kNoon + std::chrono::microseconds(1);  // a reset just after it
  Credential live = entry("b", "two", 1);
  live.exhaustion = cooling_until(kNoon + hours(1));
  live.status_cleared_at = kNoon - std::chrono::microseconds(1);

  Pool pool = make_pool({cleared, live});

  EXPECT_EQ(health_at(cleared, kNoon), Health::Ok);
  EXPECT_EQ(health_at(live, kNoon), Health::Cooling);
  EXPECT_EQ(pool.usable_count(kNoon), 1U);
}

TEST(Pool, AModelFailureFromBeforeTheLastResetDoesNotCool) {
  Pool pool = three();
  ASSERT_TRUE(pool.reset("a", kNoon));

  ASSERT_TRUE(pool.mark_model("a", "gpt-x", kNoon + hours(1), kNoon - seconds(1)));

  EXPECT_TRUE(pool.find("a")->model_cooldowns.empty());
}

TEST(Pool, ResetIsNeverEarlierThanTheFailureItClears) {
  Pool pool = three();
  Exhaustion later = cooling_until(kNoon + hours(1));
  later.at = kNoon + std::chrono::microseconds(500);  // another process's clock ran ahead
  ASSERT_TRUE(pool.mark("a", later));

  ASSERT_TRUE(pool.reset("a", kNoon));

  EXPECT_GT(pool.find("a")->status_cleared_at, later.at);
  EXPECT_EQ(health_at(*pool.find("a"), kNoon), Health::Ok);
}

TEST(Pool, SelectCountsTheUse) {
  Pool pool = three();

  const Credential* c = pool.select(kNoon);

  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->request_count, 1U);
  EXPECT_EQ(c->last_used_at, kNoon);
}

TEST(Pool, CoolingEntryIsSkippedUntilItsReset) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + seconds(60))));

  EXPECT_EQ(pool.select(kNoon)->id, "b");
  EXPECT_EQ(pool.select(kNoon + seconds(59))->id, "b");
  EXPECT_EQ(pool.select(kNoon + seconds(60))->id, "a");
}

TEST(Pool, DeadEntryNeverReturnsOnATimer) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", dead()));

  EXPECT_EQ(pool.select(kNoon + hours(24 * 365))->id, "b");
}

TEST(Pool, ResetMakesACoolingOrDeadEntryUsableAgain) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", dead()));
  ASSERT_TRUE(pool.mark_model("b", "gpt-4o", kNoon + hours(1)));

  ASSERT_TRUE(pool.reset("a", kNoon));
  ASSERT_TRUE(pool.reset("b", kNoon));

  EXPECT_EQ(pool.usable_count(kNoon), 3U);
  // The dead mark was made at kNoon too: the reset is stamped just after it, so it clears it.
  EXPECT_EQ(pool.find("a")->status_cleared_at, kNoon + std::chrono::microseconds(1));
  EXPECT_EQ(pool.find("b")->status_cleared_at, kNoon);
  EXPECT_EQ(pool.find("a")->failure_streak, 0);
}

TEST(Pool, EntryWithoutSecretIsNeverSelected) {
  Credential borrowed = entry("a", "env");
  borrowed.access_token = Secret();
  Pool pool = make_pool({borrowed, entry("b", "two", 1)});

  EXPECT_EQ(pool.select(kNoon)->id, "b");
  EXPECT_EQ(pool.usable_count(kNoon), 1U);
}

TEST(Pool, SelectReturnsNullWhenEverythingIsCooling) {
  Pool pool = three();
  for (const char* id : {"a", "b", "c"})
    ASSERT_TRUE(pool.mark(id, cooling_until(kNoon + hours(1))));

  EXPECT_EQ(pool.select(kNoon), nullptr);
}

TEST(Pool, NextAvailableAtIsTheEarliestReset) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + hours(2))));
  ASSERT_TRUE(pool.mark("b", cooling_until(kNoon + seconds(30))));
  ASSERT_TRUE(pool.mark("c", dead()));

  EXPECT_EQ(pool.next_available_at(kNoon), kNoon + seconds(30));
}

TEST(Pool, NextAvailableAtIsEmptyWhenSomethingIsUsableOrOnlyDeadRemain) {
  Pool pool = make_pool({entry("a", "one"), entry("b", "two", 1)});
  EXPECT_EQ(pool.next_available_at(kNoon), std::nullopt);

  ASSERT_TRUE(pool.mark("a", dead()));
  ASSERT_TRUE(pool.mark("b", dead()));

  EXPECT_EQ(pool.next_available_at(kNoon), std::nullopt);
}

TEST(Pool, ModelCooldownBlocksOnlyThatModel) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark_model("a", "claude-opus", kNoon + hours(1)));

  EXPECT_EQ(pool.peek(kNoon, "claude-opus")->id, "b");
  EXPECT_EQ(pool.peek(kNoon, "claude-haiku")->id, "a");
}

TEST(Pool, ModelCooldownBlocksRequestsWithoutAModel) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark_model("a", "claude-opus", kNoon + hours(1)));

  EXPECT_EQ(pool.peek(kNoon)->id, "b");
  EXPECT_EQ(pool.usable_count(kNoon), 2U);
}

TEST(Pool, ModelCooldownKeepsTheLaterTime) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark_model("a", "m", kNoon + hours(2)));
  ASSERT_TRUE(pool.mark_model("a", "m", kNoon + hours(1)));

  EXPECT_EQ(pool.find("a")->model_cooldowns.at("m"), kNoon + hours(2));
}

TEST(Pool, NextAvailableAtCountsModelCooldowns) {
  Pool pool = make_pool({entry("a", "one")});
  ASSERT_TRUE(pool.mark_model("a", "m", kNoon + seconds(45)));

  EXPECT_EQ(pool.next_available_at(kNoon, "m"), kNoon + seconds(45));
  EXPECT_EQ(pool.next_available_at(kNoon, "other"), std::nullopt);
}

TEST(Pool, AnotherUsableIgnoresTheAskingEntry) {
  Pool pool = make_pool({entry("a", "one"), entry("b", "two", 1)});
  EXPECT_TRUE(pool.another_usable("a", kNoon));

  ASSERT_TRUE(pool.mark("b", cooling_until(kNoon + hours(1))));

  EXPECT_FALSE(pool.another_usable("a", kNoon));
  EXPECT_TRUE(pool.another_usable("b", kNoon));
}

TEST(Pool, DefaultSourcedMarkGrowsTheStreakAndSuccessClearsIt) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + hours(1))));
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + hours(2))));
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + hours(1), ResetSource::Provider)));
  EXPECT_EQ(pool.find("a")->failure_streak, 2);

  ASSERT_TRUE(pool.record_success("a"));

  EXPECT_EQ(pool.find("a")->failure_streak, 0);
}

TEST(Pool, UnknownIdsAreReported) {
  Pool pool = three();

  EXPECT_FALSE(pool.mark("zz", dead()));
  EXPECT_FALSE(pool.reset("zz", kNoon));
  EXPECT_FALSE(pool.remove("zz"));
  EXPECT_EQ(pool.find("zz"), nullptr);
}

TEST(Pool, AddInsertsAtAPositionAndShiftsTheOthers) {
  Pool pool = three();

  ASSERT_TRUE(pool.add(entry("d", "four"), 1).has_value());

  ASSERT_EQ(pool.size(), 4U);
  EXPECT_EQ(pool.entries()[1].id, "d");
  EXPECT_EQ(pool.entries()[2].id, "b");
  EXPECT_EQ(pool.entries()[3].priority, 3);
}

TEST(Pool, AddAppendsAfterTheHighestPriorityKeepingTheOthers) {
  Pool pool = make_pool({entry("a", "one", 3), entry("b", "two", 10)});

  ASSERT_TRUE(pool.add(entry("d", "four")).has_value());

  EXPECT_EQ(pool.entries().back().id, "d");
  EXPECT_EQ(pool.entries().back().priority, 11);
  EXPECT_EQ(pool.entries()[0].priority, 3);
}

TEST(Pool, AddRejectsADuplicateLabel) {
  Pool pool = three();

  EXPECT_FALSE(pool.add(entry("d", "TWO", 99)).has_value());
}

TEST(Pool, RemoveRenumbersTheRest) {
  Pool pool = three();

  ASSERT_TRUE(pool.remove("a"));

  EXPECT_EQ(pool.entries()[0].id, "b");
  EXPECT_EQ(pool.entries()[0].priority, 0);
  EXPECT_EQ(pool.select(kNoon)->id, "b");
}

TEST(Pool, MoveToClampsAndShifts) {
  Pool pool = three();

  ASSERT_TRUE(pool.move_to("a", 10));

  EXPECT_EQ(pool.entries()[0].id, "b");
  EXPECT_EQ(pool.entries()[2].id, "a");
  EXPECT_EQ(pool.entries()[2].priority, 2);
}

TEST(Pool, UpdateTokensClearsAnAuthExhaustion) {
  Pool pool = three();
  ASSERT_TRUE(pool.mark("a", dead()));

  ASSERT_TRUE(pool.update_tokens("a", Secret("new-access-token-123"), Secret(), std::nullopt));

  EXPECT_EQ(pool.peek(kNoon)->id, "a");
}

TEST(Pool, ResolveTriesIdThenLabelThenIndex) {
  Pool pool = make_pool({entry("abc123", "work", 0), entry("def456", "2", 1), entry("x", "y", 2)});

  EXPECT_EQ((*pool.resolve(" ABC123 "))->id, "abc123");
  EXPECT_EQ((*pool.resolve("Work"))->id, "abc123");
  EXPECT_EQ((*pool.resolve("3"))->id, "x");
}

TEST(Pool, ResolvePrefersALabelThatLooksLikeANumberOverTheIndex) {
  Pool pool = make_pool({entry("abc123", "work", 0), entry("def456", "1", 1)});

  EXPECT_EQ((*pool.resolve("1"))->id, "def456");
}

TEST(Pool, ResolveFailureNamesTheTargetAndListsLabels) {
  Pool pool = three();

  auto r = pool.resolve("nope");

  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("nope"), std::string::npos);
  EXPECT_NE(r.error().message.find("one, two, three"), std::string::npos);
}

TEST(Pool, QueriesAtAnEarlierTimeStillSkipEntriesCoolingThen) {
  Pool pool = make_pool({entry("a", "one"), entry("b", "two", 1)});
  ASSERT_TRUE(pool.mark("a", cooling_until(kNoon + seconds(10))));
  ASSERT_EQ(pool.peek(kNoon + seconds(10))->id, "a");

  EXPECT_EQ(pool.select(kNoon + seconds(9))->id, "b");
  EXPECT_EQ(pool.usable_count(kNoon + seconds(9)), 1U);
}

}  // namespace
}  // namespace credpool::core
