#include "store/open_store.h"

#include <string>

#include <gtest/gtest.h>

namespace credpool::store {
namespace {

TEST(OpenStore, FileOpensAFileStoreThatLoadsAnEmptyHome) {
  const auto home = std::filesystem::temp_directory_path() / "credpool-open-store-test";

  auto store = open_store("file", home);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_TRUE((*store)->load().has_value());
}

TEST(OpenStore, RedisUrlIsRefusedWithAMessageInsteadOfFallingBackToTheFile) {
  struct Case {
    std::string url;
    std::string says;
  };
  for (const Case& c :
       {Case{"redis://127.0.0.1:6379/0", "not available"},
        Case{"rediss://127.0.0.1:6380/0", "no TLS"}, Case{"postgres://x", "expected 'file'"}}) {
    SCOPED_TRACE(c.url);

    auto store = open_store(c.url, "/nonexistent");

    ASSERT_FALSE(store.has_value());
    EXPECT_NE(store.error().message.find(c.says), std::string::npos) << store.error().message;
  }
}

}  // namespace
}  // namespace credpool::store
