// Fuzzes classify() with a status and provider ("429 openai"), header lines and a body.
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/classifier.h"
#include "core/cooldown_policy.h"
#include "fuzz_input.h"

// 9999-12-31T23:59:59Z, the last second every time format here can name.
constexpr long long kYear9999 = 253402300799;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace credpool;
  const core::WallTime now = core::from_epoch(1'746'100'800);
  const fuzzing::FuzzInput in = fuzzing::split_input(data, size);
  int status = 0;
  const auto [ptr, ec] =
      std::from_chars(in.first_line.data(), in.first_line.data() + in.first_line.size(), status);
  (void)ec;
  std::string_view provider =
      in.first_line.substr(static_cast<std::size_t>(ptr - in.first_line.data()));
  if (!provider.empty() && provider.front() == ' ') provider.remove_prefix(1);

  const auto failure = core::classify(provider, status, in.headers, in.body, now);

  if (failure) {
    if (failure->message.size() > 300) std::abort();
    // A reset may be past or far (the cooldown clamps it), but it is a real calendar time.
    if (failure->resets_at && *failure->resets_at > core::from_epoch(kYear9999)) std::abort();
    if (failure->retry_after && failure->retry_after->count() < 0) std::abort();
    if (failure->terminal && failure->reason != core::FailureReason::Auth) std::abort();
    // Redirects and client errors are always recognised (bad_request at worst), never unknown.
    if (status >= 300 && status < 500 && failure->reason == core::FailureReason::Unknown) {
      std::abort();
    }
    // However far the provider's reset, a cooldown never passes max_cooldown.
    const core::CooldownPolicy policy;
    const core::Cooldown cooldown = core::compute_cooldown(*failure, false, 0, policy, now);
    if (!cooldown.dead && cooldown.until > now + policy.max_cooldown) std::abort();
  } else if (status < 200 || status >= 300) {
    std::abort();  // only a 2xx may be a success
  }
  return 0;
}
