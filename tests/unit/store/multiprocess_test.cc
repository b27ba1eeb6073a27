#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/file_store.h"
#include "unit/store/temp_home.h"

namespace credpool::store {
namespace {

using credpool::testing::TempHome;

constexpr int kProcesses = 8;
constexpr int kAppliesPerProcess = 24;  // a third each: add, mark, count

core::Credential manual(const std::string& id) {
  core::Credential c;
  c.id = id;
  c.label = id;
  c.access_token = core::Secret("sk-" + id + "-0123456789");
  return c;
}

core::Exhaustion cooling(int i) {
  core::Exhaustion e;
  e.status_code = 429;
  e.reason = core::FailureReason::RateLimit;
  e.at = core::from_epoch(1000 + i);
  e.resets_at = core::from_epoch(2000 + i);
  return e;
}

// Runs in a forked child: every apply must succeed; returns the exit code.
int run_writer(const std::filesystem::path& home, int child) {
  FileStore store(home);
  for (int i = 0; i < kAppliesPerProcess; ++i) {
    Mutation m;
    switch (i % 3) {
      case 0:
        m = AddCredential{
            .pool = "openai",
            .credential = manual("c" + std::to_string(child) + "-" + std::to_string(i))};
        break;
      case 1:
        m = MarkExhausted{.pool = "openai", .id = "shared", .exhaustion = cooling(i)};
        break;
      default:
        m = AddRequestCount{
            .pool = "openai", .id = "shared", .delta = static_cast<std::uint64_t>(child + 1)};
        break;
    }
    if (!store.apply({&m, 1})) return 1;
  }
  return 0;
}

TEST(FileStoreProcesses, ConcurrentWritersLoseNoRowAndNoCount) {
  TempHome tmp;
  FileStore store(tmp.home());
  const Mutation seed = AddCredential{.pool = "openai", .credential = manual("shared")};
  ASSERT_TRUE(store.apply({&seed, 1}));

  std::vector<pid_t> children;
  for (int child = 0; child < kProcesses; ++child) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(run_writer(tmp.home(), child));
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << pid << " failed";
  }

  const auto snapshot = store.load();
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  const auto& rows = snapshot->pools.at("openai").credentials;
  const int adds_per_process = (kAppliesPerProcess + 2) / 3;
  const int counts_per_process = kAppliesPerProcess / 3;
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(1 + kProcesses * adds_per_process));
  std::uint64_t expected_count = 0;
  for (int child = 0; child < kProcesses; ++child) {
    expected_count += static_cast<std::uint64_t>(counts_per_process * (child + 1));
  }
  ASSERT_EQ(rows[0].id, "shared");
  EXPECT_EQ(rows[0].request_count, expected_count);
  ASSERT_TRUE(rows[0].exhaustion.has_value());
  EXPECT_EQ(rows[0].exhaustion->resets_at, core::from_epoch(2000 + kAppliesPerProcess - 2));
}

}  // namespace
}  // namespace credpool::store
