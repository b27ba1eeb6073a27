// How `auth add` normalises and checks what was typed: labels, keys, base URLs, provider names.
#include <gtest/gtest.h>

#include "cli_harness.h"

namespace credpool::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kKey = "sk-test-aaaaaaaaaaaa1111";
constexpr const char* kOtherKey = "sk-test-bbbbbbbbbbbb2222";

nlohmann::json openai_rows(const CliHome& home) {
  return home.auth_json()["credential_pool"]["openai"];
}

// How many rows the openai pool holds; 0 when nothing was ever written.
std::size_t openai_count(const CliHome& home) {
  if (!std::filesystem::exists(home.auth_path())) return 0;
  const nlohmann::json pools = home.auth_json()["credential_pool"];
  return pools.contains("openai") ? pools["openai"].size() : 0;
}

TEST(AuthAddInput, StoresALabelTrimmedSoItCanBeTargeted) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey, "--label", " Spaced "});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(openai_rows(home)[0]["label"], "Spaced");
  EXPECT_EQ(home.run({"auth", "remove", "openai", "spaced"}).exit_code, 0);
}

TEST(AuthAddInput, RefusesALabelThatIsOnlyWhitespace) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "  "});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--label"));
  EXPECT_EQ(openai_count(home), 0u);
}

TEST(AuthAddInput, RefusesALabelThatDiffersFromAnExistingOneOnlyInCaseAndSpaces) {
  CliHome home;
  ASSERT_EQ(home.run({"auth", "add", "openai", "--api-key", kKey, "--label", "spaced"}).exit_code,
            0);

  const CliRun r =
      home.run({"auth", "add", "openai", "--api-key", kOtherKey, "--label", " Spaced "});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'spaced'"));
  EXPECT_EQ(openai_rows(home).size(), 1u);
}

TEST(AuthAddInput, TrimsSpacesAndACrlfAroundAKeyFromStdin) {
  CliHome home;

  const CliRun r =
      home.run({"auth", "add", "openai", "--api-key", "-"}, "  " + std::string(kKey) + "  \r\n");

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(openai_rows(home)[0]["access_token"], kKey);
}

TEST(AuthAddInput, TrimsSpacesAroundAKeyOnTheCommandLine) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", std::string("\t") + kKey + " "});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(openai_rows(home)[0]["access_token"], kKey);
}

TEST(AuthAddInput, RefusesAKeyThatIsOnlyWhitespace) {
  CliHome home;

  EXPECT_EQ(home.run({"auth", "add", "openai", "--api-key", "-"}, "   \r\n").exit_code, 1);
  EXPECT_EQ(home.run({"auth", "add", "openai", "--api-key", "  "}).exit_code, 1);
  EXPECT_EQ(openai_count(home), 0u);
}

TEST(AuthAddInput, RefusesABaseUrlThatIsNotAnHttpUrlWithAHost) {
  CliHome home;
  for (const char* url : {"notaurl", "ftp://example.com", "http://", "http:///v1"}) {
    SCOPED_TRACE(url);

    const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey, "--base-url", url});

    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("--base-url"));
  }
}

TEST(AuthAddInput, StoresAnHttpsBaseUrl) {
  CliHome home;

  const CliRun r = home.run(
      {"auth", "add", "openai", "--api-key", kKey, "--base-url", "https://proxy.example.com/v1"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(openai_rows(home)[0]["base_url"], "https://proxy.example.com/v1");
}

TEST(AuthAddInput, AnUnknownTypeExitsOneNotTwo) {
  CliHome home;

  const CliRun r = home.run({"auth", "add", "openai", "--api-key", kKey, "--type", "bogus"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--type"));
}

TEST(AuthAddInput, FindsACustomProviderByAnyWayOfWritingItsName) {
  CliHome home;
  home.write_file("config.yaml",
                  "custom_providers:\n"
                  "  - {name: Lab X, base_url: \"http://127.0.0.1:9001/v1\", wire: openai}\n");
  const char* keys[] = {"sk-lab-aaaaaaaaaaaa0001", "sk-lab-aaaaaaaaaaaa0002",
                        "sk-lab-aaaaaaaaaaaa0003"};
  const char* names[] = {"custom:Lab X", "Lab X", "custom:lab-x"};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(names[i]);

    const CliRun r = home.run({"auth", "add", names[i], "--api-key", keys[i]});

    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("to custom:lab-x "));
  }
  EXPECT_EQ(home.auth_json()["credential_pool"]["custom:lab-x"].size(), 3u);
}

}  // namespace
}  // namespace credpool::testing
