#include "store/memory_store.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace credpool::store {
namespace {

TEST(MemoryStore, ConcurrentAppliesFromThreadsLoseNoCount) {
  core::Credential c;
  c.id = "a";
  c.label = "a";
  Snapshot initial;
  initial.pools["openai"].credentials.push_back(c);
  MemoryStore store(initial);
  constexpr int kThreads = 4;
  constexpr int kApplies = 200;

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store] {
      const Mutation m = AddRequestCount{.pool = "openai", .id = "a", .delta = 1};
      for (int i = 0; i < kApplies; ++i) (void)store.apply({&m, 1});
    });
  }
  for (std::thread& t : threads) t.join();

  const auto s = store.load();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pools.at("openai").credentials[0].request_count,
            static_cast<std::uint64_t>(kThreads * kApplies));
  EXPECT_EQ(store.apply_count(), kThreads * kApplies);
}

TEST(MemoryStore, SkipsMutationsNamingAnUnknownRow) {
  MemoryStore store;
  const Mutation m = RecordSuccess{.pool = "openai", .id = "gone"};

  const auto s = store.apply({&m, 1});

  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->pools.empty());
}

}  // namespace
}  // namespace credpool::store
