#include "cli/input.h"

#include <gtest/gtest.h>

#include "cli/watch.h"

namespace credpool::cli {
namespace {

TEST(TrimWhitespace, RemovesSpacesTabsAndLineEndsAtBothEndsOnly) {
  EXPECT_EQ(trim_whitespace("  sk-abc def  \r\n"), "sk-abc def");
  EXPECT_EQ(trim_whitespace("\t\v\f"), "");
  EXPECT_EQ(trim_whitespace(""), "");
  EXPECT_EQ(trim_whitespace("plain"), "plain");
}

TEST(NormaliseLabel, TrimsAndRefusesALabelThatIsOnlyWhitespace) {
  EXPECT_EQ(*normalise_label(" Spaced "), "Spaced");
  for (const char* empty : {"", "  ", "\t\n"}) {
    SCOPED_TRACE(empty);
    const Result<std::string> label = normalise_label(empty);
    ASSERT_FALSE(label);
    EXPECT_NE(label.error().message.find("--label"), std::string::npos);
  }
}

TEST(CheckBaseUrl, AcceptsHttpAndHttpsUrlsWithAHostOnly) {
  struct Case {
    const char* url;
    bool ok;
  };
  const Case cases[] = {
      {"http://127.0.0.1:9000/v1", true},
      {"https://api.example.com", true},
      {"HTTPS://Example.com/v1?x=1", true},
      {"http://user@host:8080", true},
      {"http://[::1]:9000/v1", true},
      {"notaurl", false},
      {"ftp://example.com", false},
      {"http://", false},
      {"https:///v1", false},
      {"http://:9000", false},
      {"http://[]:9000", false},
      {"http://exa mple.com", false},
      {"example.com/v1", false},
      {"", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    const Result<void> checked = check_base_url(c.url);
    EXPECT_EQ(static_cast<bool>(checked), c.ok);
    if (!checked) {
      EXPECT_NE(checked.error().message.find("--base-url"), std::string::npos);
    }
  }
}

TEST(NormaliseProviderName, RewritesACustomPrefixToItsPoolKeyAndTrimsEverythingElse) {
  struct Case {
    const char* typed;
    const char* expected;
  };
  const Case cases[] = {
      {"custom:Lab X", "custom:lab-x"},
      {"CUSTOM:lab-x", "custom:lab-x"},
      {" custom: Lab X ", "custom:lab-x"},
      {"Lab X", "Lab X"},
      {"  openai ", "openai"},
      {"OpenAI", "OpenAI"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.typed);
    EXPECT_EQ(normalise_provider_name(c.typed), c.expected);
  }
}

TEST(WatchSeparator, ClearsTheScreenOnATerminalAndElseSeparatesSnapshotsWithABlankLine) {
  EXPECT_EQ(watch_separator(true, 0), "\033[H\033[2J");
  EXPECT_EQ(watch_separator(true, 3), "\033[H\033[2J");
  EXPECT_EQ(watch_separator(false, 0), "");
  EXPECT_EQ(watch_separator(false, 1), "\n");
}

}  // namespace
}  // namespace credpool::cli
