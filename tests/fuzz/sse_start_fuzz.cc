// Fuzzes the soft-failure inspector. First line: "S" for an event stream (else JSON), "C" when
// the response is complete; the rest of the input (after the headers part) is the head. Every
// prefix of the head is inspected too, as the gateway does while bytes arrive.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/soft_failure.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace credpool;
  const core::WallTime now = core::from_epoch(1'746'100'800);
  const fuzzing::FuzzInput in = fuzzing::split_input(data, size);
  const bool stream = in.first_line.find('S') != std::string_view::npos;
  const bool complete = in.first_line.find('C') != std::string_view::npos;

  const auto whole = core::inspect_response_start("anthropic", stream, in.body, complete, now);
  if (complete && whole.verdict == core::StartVerdict::NeedMore) std::abort();
  if ((whole.verdict == core::StartVerdict::Failed) != whole.failure.has_value()) std::abort();

  // A few prefixes, bounded so one input stays cheap.
  const std::size_t step = in.body.size() / 8 + 1;
  for (std::size_t n = 0; n < in.body.size(); n += step) {
    (void)core::inspect_response_start("openai", stream, in.body.substr(0, n), false, now);
  }
  return 0;
}
