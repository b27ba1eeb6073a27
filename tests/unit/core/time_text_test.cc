#include "core/time_text.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace credpool::core {
namespace {

TEST(TimeText, DurationsInGoProtobufAndProseForms) {
  struct Case {
    std::string text;
    bool bare_is_seconds;
    std::optional<long long> ms;
  };
  const std::vector<Case> cases = {
      {"6m0s", false, 360'000},
      {"1.5s", false, 1'500},
      {"20ms", false, 20},
      {"1h2m3s", false, 3'723'000},
      {"13s", false, 13'000},
      {"500us", false, 1},
      {"4hr 5min", false, 14'700'000},
      {"30 seconds", false, 30'000},
      {"1 minute and 30 seconds", false, 90'000},
      {"2 days", false, 172'800'000},
      {"30", true, 30'000},
      {"30", false, std::nullopt},
      {"soon", true, std::nullopt},
      {"", true, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);

    const auto d = parse_duration(c.text, c.bare_is_seconds);

    ASSERT_EQ(d.has_value(), c.ms.has_value());
    if (d) {
      EXPECT_EQ(d->count(), *c.ms);
    }
  }
}

TEST(TimeText, ExactDurationRejectsTrailingText) {
  EXPECT_TRUE(parse_duration_exact("6m0s ").has_value());
  EXPECT_FALSE(parse_duration_exact("6m0s later").has_value());
}

TEST(TimeText, IsoAndHttpDates) {
  struct Case {
    std::string text;
    bool http;
    std::optional<long long> epoch;
  };
  const std::vector<Case> cases = {
      {"2025-05-01T12:00:00Z", false, 1'746'100'800},
      {"2025-05-01T12:00:00.123456Z", false, 1'746'100'800},
      {"2025-05-01T14:00:00+02:00", false, 1'746'100'800},
      {"2025-05-01 12:00:00", false, 1'746'100'800},
      {"2025-05-01", false, 1'746'057'600},
      {"2025-02-30T00:00:00Z", false, std::nullopt},
      {"yesterday", false, std::nullopt},
      {"Thu, 01 May 2025 12:00:00 GMT", true, 1'746'100'800},
      {"01 May 2025 12:00:00 GMT", true, 1'746'100'800},
      {"Thu, 01 Foo 2025 12:00:00 GMT", true, std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);

    const auto t = c.http ? parse_http_date(c.text) : parse_iso8601(c.text);

    ASSERT_EQ(t.has_value(), c.epoch.has_value());
    if (t) {
      EXPECT_EQ(to_epoch(*t), *c.epoch);
    }
  }
}

}  // namespace
}  // namespace credpool::core
