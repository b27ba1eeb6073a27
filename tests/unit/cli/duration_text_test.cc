#include "cli/duration_text.h"

#include <gtest/gtest.h>

namespace credpool::cli {
namespace {

TEST(DurationText, ShowsTheTwoLargestUnitsRoundingTheSmallerUp) {
  struct Case {
    long long seconds;
    const char* expected;
  };
  const Case cases[] = {
      {-5, "0s"},        {0, "0s"},        {45, "45s"},       {60, "1m 0s"},     {3570, "59m 30s"},
      {3599, "59m 59s"}, {3600, "1h 0m"},  {3601, "1h 1m"},   {3630, "1h 1m"},   {86399, "1d 0h"},
      {86400, "1d 0h"},  {86401, "1d 1h"}, {273600, "3d 4h"}, {604800, "7d 0h"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.seconds);

    EXPECT_EQ(duration_text(std::chrono::seconds{c.seconds}), c.expected);
  }
}

}  // namespace
}  // namespace credpool::cli
