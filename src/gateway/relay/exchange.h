#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/clock.h"
#include "core/failure.h"
#include "http/upstream_client.h"

namespace credpool::gateway {

// One upstream call, read far enough to know what it means.
struct Exchange {
  // Set when the upstream could not be reached or broke before a response head.
  http::UpstreamError transport = http::UpstreamError::None;
  std::unique_ptr<http::UpstreamResponse> response;  // null when `transport` is set
  // Body bytes read so far: a clean 2xx's held-back start (or its whole small body), an
  // error's whole body (up to kMaxErrorBody).
  std::string head;
  bool complete = false;  // the body ended within `head`
  bool stream = false;    // Content-Type text/event-stream
  // Set for an HTTP error or a soft failure (a 2xx whose start says it failed), as classified.
  std::optional<core::Failure> failure;
};

// Error bodies are read whole up to this size for the classifier and the pass-through.
inline constexpr std::size_t kMaxErrorBody = 4u << 20;

// Sends `request` and reads its answer as far as a verdict needs (DESIGN "soft failures"): a 2xx
// is held back up to core::kSoftFailureHoldBack until inspect_response_start decides (and a small
// whole body with a Content-Length within the hold-back is read to its end, so it can be relayed
// with its length); any other status is read whole and classified for `provider`. A non-2xx that
// the classifier calls a success is reported as an `unknown` failure: it is not relayed as clean.
// Runs on the caller's executor; `client` must outlive the call.
boost::asio::awaitable<Exchange> exchange(http::UpstreamClient& client,
                                          http::UpstreamRequest request, std::string provider,
                                          core::WallTime now);

}  // namespace credpool::gateway
