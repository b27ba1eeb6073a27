#include "store/file_store.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "store/atomic_file.h"
#include "store/file_lock.h"
#include "unit/store/temp_home.h"

namespace credpool::store {
namespace {

using credpool::testing::mode_of;
using credpool::testing::read_file;
using credpool::testing::TempHome;
using credpool::testing::write_file;
namespace fs = std::filesystem;

core::Credential manual(const std::string& id, const std::string& key) {
  core::Credential c;
  c.id = id;
  c.label = id;
  c.access_token = core::Secret(key);
  return c;
}

Mutation add(const std::string& id, const std::string& key = "sk-test-0123456789") {
  return AddCredential{.pool = "openai", .credential = manual(id, key)};
}

TEST(FileStore, MissingFileLoadsAsEmpty) {
  TempHome tmp;
  FileStore store(tmp.home());

  const auto snapshot = store.load();

  ASSERT_TRUE(snapshot.has_value());
  EXPECT_TRUE(snapshot->pools.empty());
}

TEST(FileStore, ApplyCreatesAPrivateHomeAndFile) {
  TempHome tmp;
  FileStore store(tmp.home());

  const Mutation m = add("a");
  const auto result = store.apply({&m, 1});

  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(mode_of(tmp.home()), 0700u);
  EXPECT_EQ(mode_of(tmp.auth()), 0600u);
  EXPECT_TRUE(fs::exists(tmp.home() / "auth.lock"));
}

TEST(FileStore, ApplyReturnsWhatLoadThenSees) {
  TempHome tmp;
  FileStore store(tmp.home());
  const Mutation m = add("a");

  const auto applied = store.apply({&m, 1});
  const auto loaded = store.load();

  ASSERT_TRUE(applied && loaded);
  ASSERT_EQ(loaded->pools.at("openai").credentials.size(), 1u);
  EXPECT_EQ(loaded->pools.at("openai").credentials[0].access_token.reveal(), "sk-test-0123456789");
  EXPECT_EQ(applied->pools.at("openai").credentials[0].id, "a");
}

TEST(FileStore, ApplyKeepsRowsAnotherWriterAdded) {
  TempHome tmp;
  FileStore first(tmp.home());
  FileStore second(tmp.home());
  const Mutation a = add("a", "sk-test-a-0123456789");
  const Mutation b = add("b", "sk-test-b-0123456789");

  ASSERT_TRUE(first.apply({&a, 1}));
  const auto result = second.apply({&b, 1});

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->pools.at("openai").credentials.size(), 2u);
}

TEST(FileStore, CorruptFileIsReportedAndLeftByteIdentical) {
  TempHome tmp;
  const std::string broken = "{\"credential_pool\": {\"openai\": [\n  {\"id\": \"a\",,}\n]}}\n";
  write_file(tmp.auth(), broken);
  FileStore store(tmp.home());
  const Mutation m = add("b");

  const auto loaded = store.load();
  const auto applied = store.apply({&m, 1});

  ASSERT_FALSE(loaded.has_value());
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code, ErrorCode::Corrupt);
  EXPECT_NE(applied.error().message.find(tmp.auth().string() + ": line 2, column"),
            std::string::npos)
      << applied.error().message;
  EXPECT_EQ(read_file(tmp.auth()), broken);
}

TEST(FileStore, UnknownTopLevelKeysSurviveAnApply) {
  TempHome tmp;
  write_file(tmp.auth(),
             R"({"version": 1, "active_provider": "nous", "providers": {"nous": {"x": 1}}})");
  FileStore store(tmp.home());
  const Mutation m = add("a");

  ASSERT_TRUE(store.apply({&m, 1}));

  const auto doc = nlohmann::json::parse(read_file(tmp.auth()));
  EXPECT_EQ(doc["active_provider"], "nous");
  EXPECT_EQ(doc["providers"]["nous"]["x"], 1);
}

TEST(FileStore, TempFilesOfDeadProcessesAreRemovedOnWrite) {
  TempHome tmp;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // now a pid with no process
  ASSERT_TRUE(ensure_private_dir(tmp.home()));
  const fs::path stale = tmp.home() / ("auth.json.tmp." + std::to_string(child) + ".abcd");
  const fs::path live = tmp.home() / ("auth.json.tmp." + std::to_string(::getppid()) + ".abcd");
  write_file(stale, "{}");
  write_file(live, "{}");
  FileStore store(tmp.home());
  const Mutation m = add("a");

  ASSERT_TRUE(store.apply({&m, 1}));

  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

TEST(FileStore, LockTimeoutNamesTheLockPath) {
  TempHome tmp;
  ASSERT_TRUE(ensure_private_dir(tmp.home()));
  FileStore store(tmp.home(), std::chrono::milliseconds{0});
  // flock locks belong to the open file description, so a second open in this process conflicts.
  auto held = FileLock::acquire(store.lock_path(), std::chrono::milliseconds{0});
  ASSERT_TRUE(held.has_value());
  const Mutation m = add("a");

  const auto result = store.apply({&m, 1});

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::Timeout);
  EXPECT_NE(result.error().message.find(store.lock_path().string()), std::string::npos);
}

TEST(FileStore, NoTempFileRemainsAfterAWrite) {
  TempHome tmp;
  FileStore store(tmp.home());
  const Mutation m = add("a");

  ASSERT_TRUE(store.apply({&m, 1}));

  for (const auto& entry : fs::directory_iterator(tmp.home())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos);
  }
}

}  // namespace
}  // namespace credpool::store
