#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace credpool::gateway {

// A Prometheus histogram over fixed buckets (seconds), updated with atomics.
class Histogram {
 public:
  // Bucket upper bounds in seconds, from 5 ms (credpool's own overhead) to 10 min (a long
  // completion's first byte timeout).
  static constexpr std::array<double, 14> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                     1,     2.5,  5,     10,   30,  120,  600};
  // Records one observation. Thread-safe, lock-free.
  void observe(std::chrono::nanoseconds value);
  // Appends the histogram's exposition lines for `name` to `out`.
  void render(std::string_view name, std::string& out) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};  // non-cumulative
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// One row of the credpool_credentials gauge, computed at scrape time.
struct CredentialGauge {
  std::string provider;
  std::string state;  // ok | cooling | dead | unavailable
  std::uint64_t count = 0;
};

// The gateway's counters and histograms, rendered as Prometheus text by hand (Debian has no
// prometheus-cpp). Thread-safe: a counter is found under a short mutex and then bumped with an
// atomic; label sets are few (providers x credentials x outcomes).
class Metrics {
 public:
  // Counts one upstream attempt under its own provider and credential (label) in
  // credpool_requests_total, by what happened: "success", the attempt's failure reason
  // ("rate_limit", "quota", "auth", "forbidden", "server", "overloaded", "timeout",
  // "bad_request", ...; see core::FailureReason), "unreachable" (no connection or a broken
  // answer) or "unclassified" (a 3xx passed to the client). Retries count once per attempt.
  void count_attempt(std::string_view provider, std::string_view credential,
                     std::string_view outcome);
  // Counts one request credpool answered itself with 429 credentials_exhausted (no attempt
  // could be made). It has no credential, so it is rendered without that label:
  // credpool_requests_total{provider="<the route's first provider>",outcome="exhausted"}.
  void count_exhausted(std::string_view provider);
  // Counts one rotation away from a credential, by failure reason.
  void count_rotation(std::string_view provider, std::string_view reason);
  // Counts one move to the next route step.
  void count_fallback(std::string_view from, std::string_view to, std::string_view reason);
  // Records the time spent waiting on upstream for one attempt.
  void observe_upstream(std::chrono::nanoseconds elapsed);
  // Records credpool's own time for one request (total minus upstream time).
  void observe_overhead(std::chrono::nanoseconds elapsed);

  // Returns the whole exposition text (format 0.0.4), with the credential gauge rows given.
  std::string render(const std::vector<CredentialGauge>& credentials) const;

 private:
  using Labels = std::vector<std::string>;
  using Family = std::map<Labels, std::unique_ptr<std::atomic<std::uint64_t>>>;
  void bump(Family& family, Labels labels);
  // Appends `family`'s rows; the HELP/TYPE header only when `help` is not empty.
  static void render_family(std::string_view name, std::string_view help,
                            const std::vector<std::string_view>& label_names, const Family& family,
                            std::string& out);

  mutable std::mutex mutex_;  // guards the maps' structure, not the counts
  Family requests_;           // {provider, credential, outcome}
  Family exhausted_;          // {provider, "exhausted"}
  Family rotations_;
  Family fallbacks_;
  Histogram upstream_seconds_;
  Histogram overhead_seconds_;
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string escape_label(std::string_view value);

}  // namespace credpool::gateway
