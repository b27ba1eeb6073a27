#include "gateway/metrics.h"

#include <fmt/format.h>

namespace credpool::gateway {

void Histogram::observe(std::chrono::nanoseconds value) {
  const double seconds = std::chrono::duration<double>(value).count();
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  const auto ns = value.count() > 0 ? static_cast<std::uint64_t>(value.count()) : 0;
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

void Histogram::render(std::string_view name, std::string& out) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBounds[i], cumulative);
  }
  const auto count = count_.load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, count);
  out += fmt::format("{}_sum {}\n", name,
                     static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += fmt::format("{}_count {}\n", name, count);
}

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Metrics::bump(Family& family, Labels labels) {
  std::atomic<std::uint64_t>* counter = nullptr;
  {
    std::scoped_lock lock(mutex_);
    auto& slot = family[std::move(labels)];
    if (!slot) slot = std::make_unique<std::atomic<std::uint64_t>>(0);
    counter = slot.get();
  }
  counter->fetch_add(1, std::memory_order_relaxed);
}

void Metrics::count_attempt(std::string_view provider, std::string_view credential,
                            std::string_view outcome) {
  bump(requests_, {std::string(provider), std::string(credential), std::string(outcome)});
}

void Metrics::count_exhausted(std::string_view provider) {
  bump(exhausted_, {std::string(provider), "exhausted"});
}

void Metrics::count_rotation(std::string_view provider, std::string_view reason) {
  bump(rotations_, {std::string(provider), std::string(reason)});
}

void Metrics::count_fallback(std::string_view from, std::string_view to, std::string_view reason) {
  bump(fallbacks_, {std::string(from), std::string(to), std::string(reason)});
}

void Metrics::observe_upstream(std::chrono::nanoseconds elapsed) {
  upstream_seconds_.observe(elapsed);
}

void Metrics::observe_overhead(std::chrono::nanoseconds elapsed) {
  overhead_seconds_.observe(elapsed);
}

void Metrics::render_family(std::string_view name, std::string_view help,
                            const std::vector<std::string_view>& label_names, const Family& family,
                            std::string& out) {
  if (!help.empty()) out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  for (const auto& [labels, value] : family) {
    out += name;
    out += '{';
    for (std::size_t i = 0; i < labels.size() && i < label_names.size(); ++i) {
      if (i > 0) out += ',';
      out += fmt::format("{}=\"{}\"", label_names[i], escape_label(labels[i]));
    }
    out += fmt::format("}} {}\n", value->load(std::memory_order_relaxed));
  }
}

std::string Metrics::render(const std::vector<CredentialGauge>& credentials) const {
  std::string out;
  {
    std::scoped_lock lock(mutex_);
    render_family("credpool_requests_total",
                  "Upstream attempts by provider, credential and outcome; outcome=\"exhausted\" "
                  "(no credential label) counts credpool's own 429s.",
                  {"provider", "credential", "outcome"}, requests_, out);
    render_family("credpool_requests_total", "", {"provider", "outcome"}, exhausted_, out);
    render_family("credpool_rotations_total", "Rotations away from a credential.",
                  {"provider", "reason"}, rotations_, out);
    render_family("credpool_fallbacks_total", "Moves to the next route step.",
                  {"from", "to", "reason"}, fallbacks_, out);
  }
  out += "# HELP credpool_credentials Credentials by state.\n# TYPE credpool_credentials gauge\n";
  for (const CredentialGauge& g : credentials) {
    out += fmt::format("credpool_credentials{{provider=\"{}\",state=\"{}\"}} {}\n",
                       escape_label(g.provider), escape_label(g.state), g.count);
  }
  out +=
      "# HELP credpool_upstream_seconds Time waiting on upstream per attempt.\n"
      "# TYPE credpool_upstream_seconds histogram\n";
  upstream_seconds_.render("credpool_upstream_seconds", out);
  out +=
      "# HELP credpool_overhead_seconds credpool's own time per request.\n"
      "# TYPE credpool_overhead_seconds histogram\n";
  overhead_seconds_.render("credpool_overhead_seconds", out);
  return out;
}

}  // namespace credpool::gateway
