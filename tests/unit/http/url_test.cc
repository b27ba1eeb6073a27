#include "http/url.h"

#include <gtest/gtest.h>

#include "http/message.h"

namespace credpool::http {
namespace {

struct UrlCase {
  const char* input;
  std::optional<Url> expected;
};

TEST(ParseUrl, SplitsSchemeHostPortAndTarget) {
  const UrlCase cases[] = {
      {"http://127.0.0.1:9000/v1/chat", Url{false, "127.0.0.1", 9000, "/v1/chat"}},
      {"https://api.openai.com/v1", Url{true, "api.openai.com", 443, "/v1"}},
      {"HTTP://example.com", Url{false, "example.com", 80, "/"}},
      {"http://example.com?x=1", Url{false, "example.com", 80, "/?x=1"}},
      {"http://example.com/a?b=c#frag", Url{false, "example.com", 80, "/a?b=c"}},
      {"http://[::1]:8080/x", Url{false, "::1", 8080, "/x"}},
      {"https://[::1]", Url{true, "::1", 443, "/"}},
      {"ftp://example.com/", std::nullopt},
      {"example.com/v1", std::nullopt},
      {"http://", std::nullopt},
      {"http://:80/", std::nullopt},
      {"http://user:pw@example.com/", std::nullopt},
      {"http://example.com:0/", std::nullopt},
      {"http://example.com:65536/", std::nullopt},
      {"http://example.com:8x/", std::nullopt},
      {"http://example.com:/", std::nullopt},
      {"http://[::1/", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);

    const auto parsed = parse_url(c.input);

    EXPECT_EQ(parsed, c.expected);
  }
}

TEST(HostHeader, OmitsDefaultPortsAndBracketsIpv6) {
  EXPECT_EQ(host_header(Url{false, "example.com", 80, "/"}), "example.com");
  EXPECT_EQ(host_header(Url{true, "example.com", 443, "/"}), "example.com");
  EXPECT_EQ(host_header(Url{true, "example.com", 8443, "/"}), "example.com:8443");
  EXPECT_EQ(host_header(Url{false, "::1", 9000, "/"}), "[::1]:9000");
}

TEST(FindHeader, MatchesNamesIgnoringCase) {
  const HeaderList headers{{"Content-Type", "text/plain"}, {"X-A", "1"}, {"x-a", "2"}};

  EXPECT_EQ(find_header(headers, "content-type"), "text/plain");
  EXPECT_EQ(find_header(headers, "X-a"), "1");
  EXPECT_EQ(find_header(headers, "missing"), std::nullopt);
}

}  // namespace
}  // namespace credpool::http
