#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_harness.h"
#include "core/pool.h"
#include "core/random.h"
#include "store/file_store.h"

// Several processes picking from one auth.json.
// round_robin: each pick is the read-modify-write the CLI does, made atomic by a test-only
// blocking flock around it: load, build the Pool, select, then apply AddRequestCount + SetCursor
// through FileStore (which takes auth.lock itself).
// least_used: what the gateway does: pick from an in-memory Pool, then merge the batch's counts
// with one AddRequestCount write and rebuild the Pool from the state that write returns.
namespace credpool::testing {
namespace {

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

core::Strategy g_strategy = core::Strategy::FillFirst;

core::Credential key(const std::string& id) {
  core::Credential c;
  c.id = id;
  c.label = "key-" + id;
  c.access_token = core::Secret("sk-test-" + id + "-aaaaaaaaaaaa");
  return c;
}

void seed(const std::filesystem::path& home, const std::vector<std::string>& ids,
          core::Strategy strategy) {
  store::FileStore store(home);
  std::vector<store::Mutation> m;
  for (const std::string& id : ids) m.push_back(store::AddCredential{"openai", key(id), {}, true});
  ASSERT_TRUE(store.apply(m).has_value());
  // Strategies live in config.yaml, not auth.json; forked pickers inherit this.
  g_strategy = strategy;
}

// Picks once under `lock_fd`'s flock; appends the picked id to `log` (under the same lock).
bool pick_once(store::FileStore& store, int lock_fd, const std::filesystem::path& log,
               core::Random& random) {
  if (::flock(lock_fd, LOCK_EX) != 0) return false;
  bool ok = false;
  if (Result<store::Snapshot> snap = store.load()) {
    const store::PoolRecord& rec = snap->pools.at("openai");
    auto pool =
        core::Pool::from_entries("openai", rec.credentials, g_strategy, rec.cursor_id, &random);
    if (pool) {
      if (const core::Credential* picked = pool->select(kNoon)) {
        const std::string id = picked->id;
        const std::vector<store::Mutation> m{store::AddRequestCount{"openai", id, 1, kNoon},
                                             store::SetCursor{"openai", id}};
        ok = store.apply(m).has_value();
        std::ofstream(log, std::ios::app) << id << "\n";
      }
    }
  }
  ::flock(lock_fd, LOCK_UN);
  return ok;
}

// Runs `processes` children doing `picks` picks each; returns true when all succeeded.
bool run_pickers(const std::filesystem::path& home, int processes, int picks) {
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      store::FileStore store(home);
      core::SplitMixRandom random(static_cast<std::uint64_t>(p) + 1);
      const int fd = ::open((home / "pick.lock").c_str(), O_CREAT | O_RDWR, 0600);
      int failures = fd < 0 ? 1 : 0;
      for (int i = 0; i < picks && failures == 0; ++i) {
        if (!pick_once(store, fd, home / "picks.log", random)) ++failures;
      }
      ::_exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  bool all_ok = true;
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    all_ok = all_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return all_ok;
}

// Picks `picks` times in batches of `batch` selects from a Pool built from the last snapshot;
// after each batch, one apply adds the batch's counts and its result rebuilds the Pool (as the
// gateway's count flush does). Returns false on any store or pool failure.
bool pick_in_batches(store::FileStore& store, int picks, int batch, core::Random& random) {
  Result<store::Snapshot> snap = store.load();
  for (int done = 0; done < picks;) {
    if (!snap) return false;
    const store::PoolRecord& rec = snap->pools.at("openai");
    auto pool =
        core::Pool::from_entries("openai", rec.credentials, g_strategy, rec.cursor_id, &random);
    if (!pool) return false;
    std::map<std::string, std::uint64_t> deltas;
    for (int i = 0; i < batch && done < picks; ++i, ++done) {
      const core::Credential* picked = pool->select(kNoon);
      if (picked == nullptr) return false;
      deltas[picked->id] += 1;
    }
    std::vector<store::Mutation> m;
    for (const auto& [id, delta] : deltas) {
      m.emplace_back(store::AddRequestCount{"openai", id, delta, kNoon});
    }
    snap = store.apply(m);
  }
  return snap.has_value();
}

// Runs `processes` children, each doing `picks` picks through pick_in_batches; returns true
// when all succeeded.
bool run_batch_pickers(const std::filesystem::path& home, int processes, int picks, int batch) {
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      store::FileStore store(home);
      core::SplitMixRandom random(static_cast<std::uint64_t>(p) + 1);
      ::_exit(pick_in_batches(store, picks, batch, random) ? 0 : 1);
    }
    children.push_back(pid);
  }
  bool all_ok = true;
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    all_ok = all_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return all_ok;
}

std::vector<std::string> read_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) ids.push_back(line);
  return ids;
}

std::map<std::string, std::uint64_t> counts(const std::filesystem::path& home) {
  store::FileStore store(home);
  std::map<std::string, std::uint64_t> out;
  Result<store::Snapshot> snap = store.load();
  if (!snap) return out;
  for (const core::Credential& c : snap->pools.at("openai").credentials)
    out[c.id] = c.request_count;
  return out;
}

TEST(MultiProcess, RoundRobinAlternatesAcrossTwoProcesses) {
  CliHome home;
  seed(home.dir(), {"a1", "b2"}, core::Strategy::RoundRobin);

  ASSERT_TRUE(run_pickers(home.dir(), 2, 50));

  const std::vector<std::string> log = read_log(home.dir() / "picks.log");
  ASSERT_EQ(log.size(), 100u);
  for (std::size_t i = 1; i < log.size(); ++i) {
    ASSERT_NE(log[i], log[i - 1]) << "pick " << i;
  }
  EXPECT_EQ(counts(home.dir()), (std::map<std::string, std::uint64_t>{{"a1", 50}, {"b2", 50}}));
}

TEST(MultiProcess, LeastUsedStaysWithinOnePercentAcrossFourProcesses) {
  CliHome home;
  seed(home.dir(), {"a1", "b2", "c3"}, core::Strategy::LeastUsed);
  constexpr int kProcesses = 4;
  constexpr int kPicksEach = 2500;  // 10k in total
  constexpr int kBatch = 25;        // one durable write per 25 picks: 400 writes in all

  ASSERT_TRUE(run_batch_pickers(home.dir(), kProcesses, kPicksEach, kBatch));

  const auto c = counts(home.dir());
  std::uint64_t total = 0;
  for (const auto& [id, n] : c) total += n;
  EXPECT_EQ(total, static_cast<std::uint64_t>(kProcesses * kPicksEach));
  const double mean = static_cast<double>(total) / static_cast<double>(c.size());
  for (const auto& [id, n] : c) {
    EXPECT_NEAR(static_cast<double>(n), mean, mean * 0.01) << id;
  }
}

}  // namespace
}  // namespace credpool::testing
