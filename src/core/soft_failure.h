#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string_view>

#include "core/clock.h"
#include "core/failure.h"

namespace credpool::core {

// How much of a 2xx response the gateway holds back, at most, waiting for a verdict. Past it the
// response is relayed as clean (a stream that has said nothing in 64 KiB has started).
inline constexpr std::size_t kSoftFailureHoldBack = 64 * 1024;

enum class StartVerdict {
  Clean,     // relay the response
  Failed,    // the 200 is a failure: treat it like an HTTP error
  NeedMore,  // the first event is not complete yet: read more and ask again
};

struct SoftFailureVerdict {
  StartVerdict verdict = StartVerdict::Clean;
  std::optional<Failure> failure;  // set when verdict is Failed (status_code 200)
};

// Decides whether the start of a 2xx response is a failure in disguise (reference §3.7).
// `head` is every byte received so far, from the first; `complete` says the response has ended.
// JSON bodies: `status` "failed" / "cancelled" (OpenAI Responses, Codex) or an `error` object
// without output is a failure. Event streams: the first event that is not a comment, a ping, an
// empty keep-alive or an OpenAI Responses preamble (response.created / in_progress / queued,
// which come before a response.failed) decides: `event: error` (Anthropic),
// `response.failed`, `{"type": "error"}` or a `data: {"error": {...}}` chunk is a failure.
// The failure is classified like an HTTP error with its code and message (classify_error).
// Returns NeedMore only while `complete` is false; the caller bounds the bytes it holds back
// (kSoftFailureHoldBack) and relays as clean beyond that. Pure; never throws.
SoftFailureVerdict inspect_response_start(std::string_view provider, bool is_event_stream,
                                          std::string_view head, bool complete, WallTime now);

std::ostream& operator<<(std::ostream& os, StartVerdict verdict);

}  // namespace credpool::core
