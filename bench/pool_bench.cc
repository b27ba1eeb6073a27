// Pick + count (Pool::select) per strategy at 16, 1k and 100k credentials, all usable or with
// 90 % of them cooling. Target (docs/benchmarks.md): <= 50 ns at 16, <= 200 ns at 100k.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/pool.h"

namespace {

using credpool::core::Credential;
using credpool::core::Exhaustion;
using credpool::core::from_epoch;
using credpool::core::Pool;
using credpool::core::Secret;
using credpool::core::SplitMixRandom;
using credpool::core::Strategy;

const credpool::core::WallTime kNow = from_epoch(1'700'000'000);

Pool build(Strategy strategy, int size, bool mostly_cooling, SplitMixRandom* random) {
  std::vector<Credential> entries;
  entries.reserve(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i) {
    Credential c;
    c.id = "id" + std::to_string(i);
    c.label = "label-" + std::to_string(i);
    c.priority = i;
    c.access_token = Secret("sk-bench-" + std::to_string(i) + "-0123456789");
    // 9 of every 10 entries cooling for a day, spread over the pool (the first one included).
    if (mostly_cooling && i % 10 != 9) {
      Exhaustion e;
      e.status_code = 429;
      e.at = kNow;
      e.resets_at = kNow + std::chrono::hours(24);
      c.exhaustion = e;
    }
    entries.push_back(std::move(c));
  }
  auto pool = Pool::from_entries("bench", std::move(entries), strategy, std::nullopt, random);
  return std::move(pool).value();
}

void BM_Select(benchmark::State& state, Strategy strategy, bool mostly_cooling) {
  SplitMixRandom random(1);
  Pool pool = build(strategy, static_cast<int>(state.range(0)), mostly_cooling, &random);
  for (auto _ : state) {
    const Credential* c = pool.select(kNow);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}

#define CREDPOOL_SELECT_BENCH(name, strategy, cooling) \
  BENCHMARK_CAPTURE(BM_Select, name, strategy, cooling)->Arg(16)->Arg(1000)->Arg(100000)

CREDPOOL_SELECT_BENCH(fill_first, Strategy::FillFirst, false);
CREDPOOL_SELECT_BENCH(round_robin, Strategy::RoundRobin, false);
CREDPOOL_SELECT_BENCH(least_used, Strategy::LeastUsed, false);
CREDPOOL_SELECT_BENCH(random, Strategy::Random, false);
CREDPOOL_SELECT_BENCH(fill_first_90pct_cooling, Strategy::FillFirst, true);
CREDPOOL_SELECT_BENCH(round_robin_90pct_cooling, Strategy::RoundRobin, true);
CREDPOOL_SELECT_BENCH(least_used_90pct_cooling, Strategy::LeastUsed, true);
CREDPOOL_SELECT_BENCH(random_90pct_cooling, Strategy::Random, true);

}  // namespace
