#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/failure.h"
#include "gateway/relay/exchange.h"
#include "http/server.h"
#include "providers/catalogue.h"

namespace credpool::gateway {

// Says how a relay ended.
enum class RelayEnd {
  Complete,     // the whole upstream body reached the client
  ClientGone,   // the client stopped reading; the upstream is closed
  UpstreamCut,  // the upstream failed mid-body: a stream got an error event and a clean end
};

// Relays a clean exchange to the client with `headers` (already filtered, x-credpool-* added).
// A complete non-stream body goes out whole with its Content-Length; anything else is chunked.
// An event stream is relayed by complete events only (up to the last blank line), an incomplete
// tail held until it completes (DESIGN "SSE"). When the upstream fails after the head was sent,
// the stream ends with one error event in `client_wire`'s format and the final chunk, never a
// bare cut. `writer` and `x` must outlive the call.
boost::asio::awaitable<RelayEnd> relay_clean(http::ResponseWriter& writer, Exchange& x,
                                             core::HeaderList headers, providers::Wire client_wire);

// Returns the error event that ends a failed stream: OpenAI `data: {"error": {...}}\n\n`,
// Anthropic `event: error\ndata: {"type":"error","error":{...}}\n\n`. Pure.
std::string stream_error_event(providers::Wire wire, std::string_view code,
                               std::string_view message);

// Returns the length of the prefix of `buffer` made of complete SSE events (up to and including
// the last blank line, "\n\n" or "\r\n\r\n"); 0 when no event is complete yet. Pure.
std::size_t complete_events_length(std::string_view buffer);

}  // namespace credpool::gateway
