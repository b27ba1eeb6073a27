#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace credpool::core {

// Returns the masked form DESIGN.md pins: first 3 characters, "...", last 4 ("sk-...abcd");
// secrets under 12 characters become "****".
std::string mask_secret(std::string_view secret);

// Holds an API key or token. No implicit conversion to text: formatting prints only the hint, and
// the raw bytes are read with reveal() in the few places that must (upstream auth header, store,
// `auth token`).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const noexcept { return value_.empty(); }
  std::string hint() const { return mask_secret(value_); }
  const std::string& reveal() const noexcept { return value_; }

  friend bool operator==(const Secret& a, const Secret& b) = default;

 private:
  std::string value_;
};

}  // namespace credpool::core

template <>
struct fmt::formatter<credpool::core::Secret> : fmt::formatter<std::string> {
  auto format(const credpool::core::Secret& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.hint(), ctx);
  }
};
