#include "gateway/credential_service.h"

#include <atomic>

#include <gtest/gtest.h>

#include "store/memory_store.h"
#include "support/fake_clock.h"

namespace credpool::gateway {
namespace {

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

core::Credential credential(std::string id, std::string label, int priority) {
  core::Credential c;
  c.id = std::move(id);
  c.label = std::move(label);
  c.priority = priority;
  c.access_token = core::Secret("sk-test-" + c.id + "-0000000");
  return c;
}

store::Snapshot two_keys() {
  store::Snapshot s;
  s.pools["openai"].credentials = {credential("a1", "openai-1", 0),
                                   credential("b2", "openai-2", 1)};
  return s;
}

core::Exhaustion rate_limited_until(core::WallTime until) {
  return core::Exhaustion{.status_code = 429,
                          .reason = core::FailureReason::RateLimit,
                          .error_code = "",
                          .message = "slow down",
                          .at = kNoon,
                          .resets_at = until,
                          .reset_source = core::ResetSource::Provider,
                          .dead = false};
}

// Returns a copy: the snapshot is usually a temporary.
std::optional<core::Credential> find(const store::Snapshot& s, const std::string& pool,
                                     const std::string& id) {
  for (const auto& c : s.pools.at(pool).credentials) {
    if (c.id == id) return c;
  }
  return std::nullopt;
}

class CredentialServiceTest : public ::testing::Test {
 protected:
  store::MemoryStore store_{two_keys()};
  testing::FakeClock clock_{kNoon};
  CredentialService service_{store_, clock_, {}, nullptr};

  void SetUp() override { service_.start(*store_.load()); }
  void TearDown() override { service_.stop(); }
};

TEST_F(CredentialServiceTest, PickReturnsACopyOfTheFirstCredential) {
  const auto picked = service_.pick("openai", "gpt-4o", kNoon);

  ASSERT_TRUE(picked.has_value());
  EXPECT_EQ(picked->id, "a1");
  EXPECT_EQ(picked->label, "openai-1");
  EXPECT_EQ(picked->secret.reveal(), "sk-test-a1-0000000");
}

TEST_F(CredentialServiceTest, UnknownPoolHasNothingToPick) {
  EXPECT_FALSE(service_.pick("groq", "m", kNoon).has_value());
}

TEST_F(CredentialServiceTest, PicksAreFlushedToTheStoreAsCounts) {
  (void)service_.pick("openai", "m", kNoon);
  (void)service_.pick("openai", "m", kNoon);

  service_.sync();

  EXPECT_EQ(find(*store_.load(), "openai", "a1")->request_count, 2u);
}

TEST_F(CredentialServiceTest, RetriesOnTheSameCredentialCountAsAttemptsToo) {
  (void)service_.pick("openai", "m", kNoon);
  service_.count_retry("openai", "a1");
  service_.count_retry("openai", "a1");

  EXPECT_EQ(service_.views(kNoon)[0].credentials[0].request_count, 3u);
  service_.sync();
  EXPECT_EQ(find(*store_.load(), "openai", "a1")->request_count, 3u);
}

TEST_F(CredentialServiceTest, RetriesOfUnknownPoolsAndIdsAreIgnored) {
  service_.count_retry("groq", "a1");
  service_.count_retry("openai", "zz");

  service_.sync();
  EXPECT_EQ(find(*store_.load(), "openai", "a1")->request_count, 0u);
}

TEST_F(CredentialServiceTest, MarkAppliesAtOnceAndIsDurableWhenDoneRuns) {
  std::atomic<int> done_calls{0};
  std::atomic<bool> durable{false};

  service_.record_exhaustion("openai", "a1", rate_limited_until(kNoon + std::chrono::minutes(5)),
                             [&](bool ok) {
                               durable = ok;
                               done_calls += 1;
                             });
  const auto next = service_.pick("openai", "m", kNoon);
  service_.sync();

  EXPECT_EQ(next->id, "b2");
  EXPECT_EQ(done_calls.load(), 1);
  EXPECT_TRUE(durable.load());
  const auto stored = find(*store_.load(), "openai", "a1");
  ASSERT_TRUE(stored->exhaustion.has_value());
  EXPECT_EQ(stored->exhaustion->resets_at, kNoon + std::chrono::minutes(5));
}

TEST_F(CredentialServiceTest, AnotherProcessesAddShowsAfterTheNextReRead) {
  const store::Mutation add = store::AddCredential{"openai", credential("c3", "openai-3", 2), {}};
  ASSERT_TRUE(store_.apply({&add, 1}).has_value());

  service_.sync();

  const auto views = service_.views(kNoon);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].credentials.size(), 3u);
}

TEST_F(CredentialServiceTest, ExhaustedNamesEachCredentialAndTheEarliestReset) {
  service_.record_exhaustion("openai", "a1", rate_limited_until(kNoon + std::chrono::minutes(5)),
                             nullptr);
  service_.record_exhaustion("openai", "b2", rate_limited_until(kNoon + std::chrono::minutes(2)),
                             nullptr);

  const PoolExhausted why = service_.exhausted("openai", "m", kNoon);

  EXPECT_FALSE(service_.pick("openai", "m", kNoon).has_value());
  ASSERT_TRUE(why.earliest_reset.has_value());
  EXPECT_EQ(*why.earliest_reset, kNoon + std::chrono::minutes(2));
  ASSERT_EQ(why.credentials.size(), 2u);
  EXPECT_EQ(why.credentials[0].label, "openai-1");
  EXPECT_EQ(why.credentials[0].reason, "rate_limit");
}

TEST_F(CredentialServiceTest, ModelCooldownBlocksOnlyThatModel) {
  service_.record_model_cooldown("openai", "a1", "gpt-4o", kNoon + std::chrono::minutes(1), kNoon,
                                 nullptr);

  EXPECT_EQ(service_.pick("openai", "gpt-4o", kNoon)->id, "b2");
  EXPECT_EQ(service_.pick("openai", "gpt-4o-mini", kNoon)->id, "a1");
}

TEST_F(CredentialServiceTest, AnotherUsableSeesSiblings) {
  EXPECT_TRUE(service_.another_usable("openai", "a1", "m", kNoon));

  service_.record_exhaustion("openai", "b2", rate_limited_until(kNoon + std::chrono::minutes(1)),
                             nullptr);

  EXPECT_FALSE(service_.another_usable("openai", "a1", "m", kNoon));
}

TEST_F(CredentialServiceTest, GaugesCountCredentialsByState) {
  service_.record_exhaustion("openai", "a1", rate_limited_until(kNoon + std::chrono::minutes(1)),
                             nullptr);

  const auto gauges = service_.gauges(kNoon);

  ASSERT_EQ(gauges.size(), 2u);
  EXPECT_EQ(gauges[0].state, "cooling");
  EXPECT_EQ(gauges[0].count, 1u);
  EXPECT_EQ(gauges[1].state, "ok");
}

TEST_F(CredentialServiceTest, RateLimitRemainingKeepsTheLatestReportPerCredential) {
  service_.record_rate_limit_remaining("openai", "a1",
                                       {.requests = 99, .tokens = 1000, .seen_at = kNoon});
  service_.record_rate_limit_remaining(
      "openai", "a1",
      {.requests = 98, .tokens = std::nullopt, .seen_at = kNoon + std::chrono::seconds(1)});

  const RateLimitsByPool all = service_.rate_limits();

  ASSERT_EQ(all.count("openai"), 1u);
  ASSERT_EQ(all.at("openai").size(), 1u);
  const RateLimitRemaining& a1 = all.at("openai").at("a1");
  EXPECT_EQ(a1.requests, 98u);
  EXPECT_FALSE(a1.tokens.has_value());
  EXPECT_EQ(a1.seen_at, kNoon + std::chrono::seconds(1));
}

TEST_F(CredentialServiceTest, RateLimitRemainingOfUnknownPoolsAndIdsIsIgnored) {
  service_.record_rate_limit_remaining("groq", "a1",
                                       {.requests = 1, .tokens = 1, .seen_at = kNoon});
  service_.record_rate_limit_remaining("openai", "zz",
                                       {.requests = 1, .tokens = 1, .seen_at = kNoon});

  EXPECT_TRUE(service_.rate_limits().empty());
}

TEST_F(CredentialServiceTest, RateLimitRemainingSurvivesAReReadButNotARemoval) {
  service_.record_rate_limit_remaining("openai", "a1",
                                       {.requests = 5, .tokens = 6, .seen_at = kNoon});
  service_.record_rate_limit_remaining("openai", "b2",
                                       {.requests = 7, .tokens = 8, .seen_at = kNoon});
  const store::Mutation remove = store::RemoveCredential{"openai", "b2"};
  ASSERT_TRUE(store_.apply({&remove, 1}).has_value());

  service_.sync();

  const RateLimitsByPool all = service_.rate_limits();
  ASSERT_EQ(all.count("openai"), 1u);
  EXPECT_EQ(all.at("openai").count("a1"), 1u);
  EXPECT_EQ(all.at("openai").count("b2"), 0u);
}

TEST(CredentialService, ConfigStrategyBeatsTheStores) {
  auto snapshot = two_keys();
  snapshot.pools["openai"].strategy = core::Strategy::FillFirst;
  store::MemoryStore store(snapshot);
  testing::FakeClock clock(kNoon);
  CredentialService service(store, clock, {{"openai", core::Strategy::RoundRobin}}, nullptr);
  service.start(*store.load());

  const auto first = service.pick("openai", "m", kNoon);
  const auto second = service.pick("openai", "m", kNoon);

  EXPECT_NE(first->id, second->id);
  service.stop();
}

TEST(CredentialService, StopFlushesCounts) {
  store::MemoryStore store(two_keys());
  testing::FakeClock clock(kNoon);
  CredentialService service(store, clock, {}, nullptr);
  service.start(*store.load());

  (void)service.pick("openai", "m", kNoon);
  service.stop();

  EXPECT_EQ(find(*store.load(), "openai", "a1")->request_count, 1u);
}

}  // namespace
}  // namespace credpool::gateway
