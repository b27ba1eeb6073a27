#include <map>

#include <gtest/gtest.h>

#include "core/pool.h"

namespace credpool::core {
namespace {

using std::chrono::hours;

const WallTime kNoon = from_epoch(1'700'000'000);

Credential entry(std::string id, int priority, std::uint64_t count = 0) {
  Credential c;
  c.id = id;
  c.label = "label-" + id;
  c.priority = priority;
  c.request_count = count;
  c.access_token = Secret("sk-test-" + id + "-0123456789");
  return c;
}

Exhaustion cooling(WallTime until) {
  Exhaustion e;
  e.reason = FailureReason::RateLimit;
  e.status_code = 429;
  e.resets_at = until;
  return e;
}

Pool make_pool(std::vector<Credential> entries, Strategy strategy,
               std::optional<std::string> cursor = std::nullopt, Random* random = nullptr) {
  auto pool = Pool::from_entries("openai", std::move(entries), strategy, std::move(cursor), random);
  EXPECT_TRUE(pool.has_value());
  return std::move(pool).value();
}

std::vector<std::string> picks(Pool& pool, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const Credential* c = pool.select(kNoon);
    out.push_back(c ? c->id : "-");
  }
  return out;
}

TEST(FillFirst, AlwaysPicksTheFirstUsableInPriorityOrder) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1)}, Strategy::FillFirst);

  EXPECT_EQ(picks(pool, 3), (std::vector<std::string>{"a", "a", "a"}));
}

TEST(RoundRobin, VisitsEachUsableEntryInTurn) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::RoundRobin);

  EXPECT_EQ(picks(pool, 4), (std::vector<std::string>{"a", "b", "c", "a"}));
}

TEST(RoundRobin, NeverReordersPriorities) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::RoundRobin);

  (void)picks(pool, 2);

  EXPECT_EQ(pool.entries()[0].id, "a");
  EXPECT_EQ(pool.entries()[1].id, "b");
  EXPECT_EQ(pool.cursor_id(), "b");
}

TEST(RoundRobin, ResumesAfterAStoredCursor) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::RoundRobin, "b");

  EXPECT_EQ(pool.select(kNoon)->id, "c");
}

TEST(RoundRobin, SkipsCoolingEntries) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::RoundRobin);
  ASSERT_TRUE(pool.mark("b", cooling(kNoon + hours(1))));

  EXPECT_EQ(picks(pool, 3), (std::vector<std::string>{"a", "c", "a"}));
}

TEST(RoundRobin, RemovingTheCursorContinuesWithItsSuccessor) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::RoundRobin, "b");

  ASSERT_TRUE(pool.remove("b"));

  EXPECT_EQ(pool.select(kNoon)->id, "c");
}

TEST(LeastUsed, PicksTheLowestCountWithTiesByPriority) {
  Pool pool =
      make_pool({entry("a", 0, 5), entry("b", 1, 2), entry("c", 2, 2)}, Strategy::LeastUsed);

  EXPECT_EQ(picks(pool, 4), (std::vector<std::string>{"b", "c", "b", "c"}));
}

TEST(LeastUsed, MergedCountsChangeTheOrder) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1)}, Strategy::LeastUsed);

  ASSERT_TRUE(pool.add_requests("a", 10));

  EXPECT_EQ(pool.select(kNoon)->id, "b");
}

TEST(LeastUsed, ModelBlockedMinimumIsSkipped) {
  Pool pool = make_pool({entry("a", 0), entry("b", 1, 3), entry("c", 2, 1)}, Strategy::LeastUsed);
  ASSERT_TRUE(pool.mark_model("a", "m", kNoon + hours(1)));

  EXPECT_EQ(pool.select(kNoon, "m")->id, "c");
}

TEST(Random, PicksOnlyUsableEntriesAndAllOfThem) {
  SplitMixRandom random(42);
  Pool pool = make_pool({entry("a", 0), entry("b", 1), entry("c", 2)}, Strategy::Random,
                        std::nullopt, &random);
  ASSERT_TRUE(pool.mark("b", cooling(kNoon + hours(1))));
  std::map<std::string, int> seen;

  for (const std::string& id : picks(pool, 300)) ++seen[id];

  EXPECT_EQ(seen.count("b"), 0U);
  EXPECT_GT(seen["a"], 100);
  EXPECT_GT(seen["c"], 100);
}

TEST(Random, PeekShowsNothing) {
  SplitMixRandom random(1);
  Pool pool = make_pool({entry("a", 0)}, Strategy::Random, std::nullopt, &random);

  EXPECT_EQ(pool.peek(kNoon), nullptr);
}

TEST(Strategy, SwitchingStrategyKeepsCountsAndCoolingState) {
  Pool pool =
      make_pool({entry("a", 0, 4), entry("b", 1, 1), entry("c", 2, 0)}, Strategy::FillFirst);
  ASSERT_TRUE(pool.mark("c", cooling(kNoon + hours(1))));

  pool.set_strategy(Strategy::LeastUsed);

  EXPECT_EQ(pool.select(kNoon)->id, "b");
}

}  // namespace
}  // namespace credpool::core
