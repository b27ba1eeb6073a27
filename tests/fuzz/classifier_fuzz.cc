// Fuzzes classify() with a status and provider ("429 openai"), header lines and a body.
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/classifier.h"
#include "fuzz_input.h"

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
    if (failure->resets_at &&
        (*failure->resets_at <= now || *failure->resets_at > now + std::chrono::days{30})) {
      std::abort();
    }
    if (failure->terminal && failure->reason != core::FailureReason::Auth) std::abort();
  } else if (status < 200 || status >= 300) {
    std::abort();  // only a 2xx may be a success
  }
  return 0;
}
