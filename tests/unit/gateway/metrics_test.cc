#include "gateway/metrics.h"

#include <gtest/gtest.h>

namespace credpool::gateway {
namespace {

bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, CountsAttemptsPerLabelSet) {
  Metrics metrics;

  metrics.count_attempt("openai", "openai-1", "success");
  metrics.count_attempt("openai", "openai-1", "success");
  metrics.count_attempt("openai", "openai-2", "rate_limit");

  const auto text = metrics.render({});
  EXPECT_TRUE(contains(text,
                       "credpool_requests_total{provider=\"openai\",credential=\"openai-1\","
                       "outcome=\"success\"} 2\n"));
  EXPECT_TRUE(contains(text,
                       "credpool_requests_total{provider=\"openai\",credential=\"openai-2\","
                       "outcome=\"rate_limit\"} 1\n"));
}

TEST(Metrics, ExhaustedRequestsHaveNoCredentialLabel) {
  Metrics metrics;

  metrics.count_attempt("openai", "openai-1", "success");
  metrics.count_exhausted("openai");
  metrics.count_exhausted("openai");
  const auto text = metrics.render({});

  EXPECT_TRUE(
      contains(text, "credpool_requests_total{provider=\"openai\",outcome=\"exhausted\"} 2\n"));
  EXPECT_FALSE(contains(text, "credential=\"\""));
  // One HELP/TYPE header for the family, before both kinds of rows.
  EXPECT_EQ(text.find("# TYPE credpool_requests_total"),
            text.rfind("# TYPE credpool_requests_total"));
  EXPECT_LT(text.find("# TYPE credpool_requests_total"),
            text.find("{provider=\"openai\",outcome=\"exhausted\"}"));
}

TEST(Metrics, RendersRotationsFallbacksAndCredentialGauges) {
  Metrics metrics;

  metrics.count_rotation("openai", "rate_limit");
  metrics.count_fallback("openai", "openrouter", "no_usable_credential");
  const auto text = metrics.render({{"openai", "cooling", 2}});

  EXPECT_TRUE(
      contains(text, "credpool_rotations_total{provider=\"openai\",reason=\"rate_limit\"} 1\n"));
  EXPECT_TRUE(contains(text,
                       "credpool_fallbacks_total{from=\"openai\",to=\"openrouter\","
                       "reason=\"no_usable_credential\"} 1\n"));
  EXPECT_TRUE(contains(text, "credpool_credentials{provider=\"openai\",state=\"cooling\"} 2\n"));
  EXPECT_TRUE(contains(text, "# TYPE credpool_credentials gauge\n"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;

  metrics.observe_upstream(std::chrono::milliseconds(3));
  metrics.observe_upstream(std::chrono::milliseconds(300));

  const auto text = metrics.render({});
  EXPECT_TRUE(contains(text, "credpool_upstream_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_TRUE(contains(text, "credpool_upstream_seconds_bucket{le=\"0.5\"} 2\n"));
  EXPECT_TRUE(contains(text, "credpool_upstream_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_TRUE(contains(text, "credpool_upstream_seconds_count 2\n"));
  EXPECT_TRUE(contains(text, "credpool_overhead_seconds_count 0\n"));
}

TEST(Metrics, EscapesLabelValues) { EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

}  // namespace
}  // namespace credpool::gateway
