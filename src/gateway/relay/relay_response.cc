#include "gateway/relay/relay_response.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace credpool::gateway {
namespace asio = boost::asio;
namespace {

// Writes the complete events of `pending` and keeps the incomplete tail in it.
asio::awaitable<bool> write_events(http::ResponseWriter& writer, std::string& pending) {
  const std::size_t length = complete_events_length(pending);
  if (length == 0) co_return true;
  const bool ok = co_await writer.write_chunk(std::string_view(pending).substr(0, length));
  pending.erase(0, length);
  co_return ok;
}

asio::awaitable<RelayEnd> relay_stream(http::ResponseWriter& writer, Exchange& x,
                                       providers::Wire client_wire) {
  std::string pending = std::move(x.head);
  if (!co_await write_events(writer, pending)) co_return RelayEnd::ClientGone;
  bool ended = x.complete;
  while (!ended) {
    auto chunk = co_await x.response->read_some();
    if (!chunk) break;
    pending += *chunk;
    if (!co_await write_events(writer, pending)) co_return RelayEnd::ClientGone;
  }
  const http::UpstreamError error = x.response->error();
  if (error == http::UpstreamError::None) {
    // The body ended cleanly at the HTTP level: a last event without its blank line is still
    // the upstream's own end, passed on as it came.
    if (!pending.empty() && !co_await writer.write_chunk(pending)) co_return RelayEnd::ClientGone;
    co_await writer.finish_stream();
    co_return RelayEnd::Complete;
  }
  // Cut or stalled mid-body: the client is told, in its own wire, and the stream ends cleanly.
  const bool timeout = error == http::UpstreamError::Timeout;
  const std::string event = stream_error_event(
      client_wire, timeout ? "upstream_timeout" : "upstream_unreachable",
      timeout ? "the upstream stream stalled" : "the upstream stream ended early");
  if (co_await writer.write_chunk(event)) co_await writer.finish_stream();
  co_return RelayEnd::UpstreamCut;
}

asio::awaitable<RelayEnd> relay_body(http::ResponseWriter& writer, Exchange& x) {
  if (!co_await writer.write_chunk(x.head)) co_return RelayEnd::ClientGone;
  while (!x.complete) {
    auto chunk = co_await x.response->read_some();
    if (!chunk) break;
    if (!co_await writer.write_chunk(*chunk)) co_return RelayEnd::ClientGone;
  }
  // A body that is not an event stream has no in-band error form: an early end is a cut.
  if (x.response->error() != http::UpstreamError::None) co_return RelayEnd::UpstreamCut;
  co_await writer.finish_stream();
  co_return RelayEnd::Complete;
}

}  // namespace

std::size_t complete_events_length(std::string_view buffer) {
  const std::size_t lf = buffer.rfind("\n\n");
  const std::size_t crlf = buffer.rfind("\r\n\r\n");
  std::size_t end = 0;
  if (lf != std::string_view::npos) end = lf + 2;
  if (crlf != std::string_view::npos && crlf + 4 > end) end = crlf + 4;
  return end;
}

std::string stream_error_event(providers::Wire wire, std::string_view code,
                               std::string_view message) {
  if (wire == providers::Wire::Anthropic) {
    const nlohmann::json body = {
        {"type", "error"},
        {"error",
         {{"type", "api_error"}, {"message", std::string(code) + ": " + std::string(message)}}}};
    return "event: error\ndata: " + body.dump() + "\n\n";
  }
  const nlohmann::json body = {
      {"error", {{"message", message}, {"type", "api_error"}, {"code", code}}}};
  return "data: " + body.dump() + "\n\n";
}

asio::awaitable<RelayEnd> relay_clean(http::ResponseWriter& writer, Exchange& x,
                                      core::HeaderList headers, providers::Wire client_wire) {
  const int status = x.response->status();
  if (x.complete && !x.stream && x.response->error() == http::UpstreamError::None) {
    const bool ok = co_await writer.send(status, std::move(headers), std::move(x.head));
    co_return ok ? RelayEnd::Complete : RelayEnd::ClientGone;
  }
  if (!co_await writer.start_stream(status, std::move(headers))) co_return RelayEnd::ClientGone;
  if (x.stream) co_return co_await relay_stream(writer, x, client_wire);
  co_return co_await relay_body(writer, x);
}

}  // namespace credpool::gateway
