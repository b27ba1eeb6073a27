// Fuzzes the reset-hint parser and the time formats under it with header lines and a body.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/reset_hints.h"
#include "core/time_text.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace credpool;
  const core::WallTime now = core::from_epoch(1'746'100'800);
  const fuzzing::FuzzInput in = fuzzing::split_input(data, size);
  const auto body = nlohmann::json::parse(in.body, nullptr, /*allow_exceptions=*/false);

  const core::ResetHints hints = core::parse_reset_hints(in.headers, body, in.body, now);

  // The contract: a reset is a real calendar time (past or far resets are the cooldown's to
  // judge: it clamps them); a wait is not negative.
  constexpr long long kYear9999 = 253402300799;  // 9999-12-31T23:59:59Z
  if (hints.resets_at && *hints.resets_at > core::from_epoch(kYear9999)) std::abort();
  if (hints.retry_after && hints.retry_after->count() < 0) std::abort();

  (void)core::parse_duration(in.first_line, true);
  (void)core::parse_iso8601(in.first_line);
  (void)core::parse_http_date(in.first_line);
  (void)core::parse_decimal(in.first_line);
  (void)core::parse_message_delay(in.first_line);
  return 0;
}
