// Seeded random action streams against a Pool, checking its invariants against a naive model
// after every step (STYLE.md §9; Envoy's load_balancer_fuzz_base.h does the same).
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "core/pool.h"

namespace credpool::core {
namespace {

using std::chrono::seconds;

const WallTime kStart = from_epoch(1'700'000'000);
constexpr int kSteps = 400;
const std::string_view kModels[] = {"", "m1", "m2"};

bool naive_usable(const Credential& c, WallTime now, std::string_view model) {
  if (c.access_token.empty() || health_at(c, now) != Health::Ok) return false;
  for (const auto& [name, until] : c.model_cooldowns) {
    if (until > now && (model.empty() || name == model)) return false;
  }
  return true;
}

std::vector<const Credential*> naive_usable_set(const Pool& pool, WallTime now,
                                                std::string_view model) {
  std::vector<const Credential*> out;
  for (const Credential& c : pool.entries()) {
    if (naive_usable(c, now, model)) out.push_back(&c);
  }
  return out;
}

std::optional<WallTime> naive_next_available(const Pool& pool, WallTime now,
                                             std::string_view model) {
  if (!naive_usable_set(pool, now, model).empty()) return std::nullopt;
  std::optional<WallTime> best;
  for (const Credential& c : pool.entries()) {
    const Exhaustion* e = exhaustion_in_force(c);
    if (c.access_token.empty() || (e != nullptr && e->dead)) continue;
    WallTime t = now;
    if (e != nullptr) t = std::max(t, e->resets_at);
    for (const auto& [name, until] : c.model_cooldowns) {
      if (model.empty() || name == model) t = std::max(t, until);
    }
    if (t > now && (!best || t < *best)) best = t;
  }
  return best;
}

// The entry the strategy must pick, by the definitions in DESIGN.md (random: any usable).
const Credential* naive_pick(const Pool& pool, WallTime now, std::string_view model) {
  const auto usable = naive_usable_set(pool, now, model);
  if (usable.empty()) return nullptr;
  switch (pool.strategy()) {
    case Strategy::FillFirst:
    case Strategy::Random:
      return usable.front();
    case Strategy::RoundRobin: {
      int after = -1;
      if (pool.cursor_id()) {
        if (const Credential* c = pool.find(*pool.cursor_id())) after = c->priority;
      }
      for (const Credential* c : usable) {
        if (c->priority > after) return c;
      }
      return usable.front();
    }
    case Strategy::LeastUsed:
      return *std::min_element(usable.begin(), usable.end(), [](auto* a, auto* b) {
        return a->request_count != b->request_count ? a->request_count < b->request_count
                                                    : a->priority < b->priority;
      });
  }
  return nullptr;
}

Credential fresh(int n) {
  Credential c;
  c.id = "id" + std::to_string(n);
  c.label = "label-" + std::to_string(n);
  c.priority = n;
  if (n % 7 != 3) c.access_token = Secret("sk-property-" + std::to_string(n) + "-abcdef");
  return c;
}

void run(Strategy strategy, std::uint64_t seed) {
  SCOPED_TRACE(testing::Message() << "strategy=" << strategy << " seed=" << seed);
  SplitMixRandom dice(seed);
  SplitMixRandom pool_random(seed ^ 0x5eed);
  std::vector<Credential> initial;
  int next_id = 0;
  const int n0 = 1 + static_cast<int>(dice.below(12));
  for (; next_id < n0; ++next_id) initial.push_back(fresh(next_id));
  auto built = Pool::from_entries("p", initial, strategy, std::nullopt, &pool_random);
  ASSERT_TRUE(built.has_value());
  Pool pool = std::move(built).value();
  WallTime now = kStart;

  for (int step = 0; step < kSteps; ++step) {
    SCOPED_TRACE(testing::Message() << "step=" << step);
    const std::string_view model = kModels[dice.below(3)];
    const auto& entries = pool.entries();
    const std::string some_id = entries.empty() ? "none" : entries[dice.below(entries.size())].id;
    switch (dice.below(12)) {
      case 0:
      case 1:
      case 2: {  // select, checked against peek and the naive pick
        const Credential* peeked = pool.peek(now, model);
        const Credential* expected = naive_pick(pool, now, model);
        const std::string expected_id = expected ? expected->id : "";
        const std::uint64_t expected_count = expected ? expected->request_count : 0;
        const std::string peeked_id = peeked ? peeked->id : "";
        const Credential* picked = pool.select(now, model);
        if (!expected) {
          ASSERT_EQ(picked, nullptr);
          break;
        }
        ASSERT_NE(picked, nullptr);
        ASSERT_TRUE(naive_usable(*picked, now, model)) << "selected an unusable entry";
        if (strategy == Strategy::Random) break;
        ASSERT_EQ(picked->id, expected_id);
        ASSERT_EQ(picked->id, peeked_id) << "peek differs from the next select";
        if (strategy == Strategy::LeastUsed) {
          ASSERT_EQ(picked->request_count, expected_count + 1);
        }
        break;
      }
      case 3: {  // mark cooling, sometimes in the past, sometimes dead
        Exhaustion e;
        e.at = now;
        e.resets_at = now + seconds(static_cast<long long>(dice.below(120))) - seconds(10);
        e.dead = dice.below(8) == 0;
        pool.mark(some_id, e);
        break;
      }
      case 4:
        pool.mark_model(some_id, std::string(kModels[1 + dice.below(2)]),
                        now + seconds(static_cast<long long>(dice.below(90))));
        break;
      case 5:
      case 6:  // time moves, now and then a second backwards (another thread's clock read)
        now += dice.below(10) == 0 ? seconds(-1) : seconds(static_cast<long long>(dice.below(30)));
        break;
      case 7:
        pool.reset(some_id, now);
        break;
      case 8: {
        Credential c = fresh(next_id++);
        c.priority = static_cast<int>(dice.below(entries.size() + 2));
        ASSERT_TRUE(pool.add(std::move(c)).has_value());
        break;
      }
      case 9:
        if (pool.size() > 1) pool.remove(some_id);
        break;
      case 10:
        if (dice.below(2) == 0) {
          pool.add_requests(some_id, dice.below(5));
        } else {
          pool.move_to(some_id, static_cast<int>(dice.below(entries.size() + 1)));
        }
        break;
      case 11: {  // a round_robin cycle visits every usable entry exactly once
        if (strategy != Strategy::RoundRobin) break;
        const auto usable = naive_usable_set(pool, now, model);
        std::set<std::string> seen;
        for (std::size_t i = 0; i < usable.size(); ++i) {
          const Credential* c = pool.select(now, model);
          ASSERT_NE(c, nullptr);
          seen.insert(c->id);
        }
        ASSERT_EQ(seen.size(), usable.size());
        break;
      }
    }
    for (std::string_view m : kModels) {
      ASSERT_EQ(pool.usable_count(now, m), naive_usable_set(pool, now, m).size());
      ASSERT_EQ(pool.next_available_at(now, m), naive_next_available(pool, now, m));
    }
  }
}

TEST(PoolProperty, RandomActionStreamsKeepEveryStrategyInvariant) {
  for (Strategy strategy :
       {Strategy::FillFirst, Strategy::RoundRobin, Strategy::LeastUsed, Strategy::Random}) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      run(strategy, seed);
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace credpool::core
