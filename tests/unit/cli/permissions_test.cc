// A home left readable by others (a copy, a backup restore, another tool) is tightened by the
// first command that opens the store, and the user is told (DESIGN.md "Pinned details").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  return info.st_mode & 0777;
}

const char* kOneRow = R"({"version": 1, "credential_pool": {"openai": [{"id": "a1",
    "label": "k", "source": "manual", "auth_type": "api_key", "priority": 0,
    "access_token": "sk-test-perm-aaaaaaaaaaaa1111"}]}})";

TEST(Permissions, AWorldReadableAuthJsonIsFixedAndReported) {
  CliHome home;
  home.write_file("auth.json", kOneRow);
  ::chmod(home.auth_path().c_str(), 0644);

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(home.auth_path()), 0600u);
  EXPECT_THAT(r.err,
              HasSubstr("fixed permissions of " + home.auth_path().string() + " (0644 -> 0600)"));
}

TEST(Permissions, AnOpenHomeDirectoryIsFixedAndReported) {
  CliHome home;
  home.write_file("auth.json", kOneRow);
  ::chmod(home.auth_path().c_str(), 0600);
  ::chmod(home.dir().c_str(), 0755);

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(home.dir()), 0700u);
  EXPECT_THAT(r.err, HasSubstr("(0755 -> 0700)"));
}

TEST(Permissions, AHomeAlreadyPrivateIsLeftQuiet) {
  CliHome home;
  home.write_file("auth.json", kOneRow);
  ::chmod(home.auth_path().c_str(), 0600);
  ::chmod(home.dir().c_str(), 0700);

  const CliRun r = home.run({"auth", "list"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("fixed permissions")));
}

}  // namespace
}  // namespace credpool::testing
