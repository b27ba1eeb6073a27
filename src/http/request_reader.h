#pragma once

// Internal to src/http: reading one request on a server connection, with every limit of
// ServerOptions applied explicitly (included by server.cc only, so Beast is compiled once).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "http/any_stream.h"
#include "http/server.h"

namespace credpool::http::detail {

namespace bhttp = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

// Boost 1.81 needs the wrapped form (STYLE.md §4): errors come back as values, never thrown.
inline constexpr auto kReadNoThrow = asio::as_tuple(asio::use_awaitable);
// Socket reads take up to this much; also the size of a connection's read buffer while busy.
inline constexpr std::size_t kReadChunk = 64u << 10;

// What reading one request produced.
struct ReadOutcome {
  enum class Kind { Closed, Request, Refused } kind = Kind::Closed;
  ServerError error = ServerError::RequestTimeout;  // Refused: what to answer
};

inline ReadOutcome refused(ServerError error) { return {ReadOutcome::Kind::Refused, error}; }

// Cancels the stream's pending operations at a deadline without closing the socket:
// beast::tcp_stream's own timeout closes it, which would leave no way to answer 408. Lives on
// the connection's strand, like the stream.
class Watchdog {
 public:
  Watchdog(AnyStream& stream, SteadyClock::time_point deadline)
      : timer_(stream.get_executor()), armed_(std::make_shared<bool>(true)) {
    stream.tcp().expires_never();
    timer_.expires_at(deadline);
    timer_.async_wait([&stream, armed = armed_, fired = fired_](const beast::error_code& ec) {
      if (ec || !*armed) return;  // `stream` may be gone once the watchdog is
      *fired = true;
      beast::error_code ignored;
      stream.tcp().socket().cancel(ignored);
    });
  }
  ~Watchdog() {
    *armed_ = false;
    timer_.cancel();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  bool fired() const { return *fired_; }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> armed_;
  std::shared_ptr<bool> fired_ = std::make_shared<bool>(false);
};

// Copies what the parser has of a head (all of it, or what came before an error).
inline void copy_head(const bhttp::request<bhttp::empty_body>& head, IncomingRequest& out) {
  out.method = std::string(head.method_string());
  out.target = std::string(head.target());
  out.keep_alive = head.keep_alive();
  out.headers.clear();
  for (const auto& field : head) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
}

// Reads the body that follows `head` into `out.body`, under the body limit.
inline asio::awaitable<ReadOutcome> read_body(AnyStream& stream, beast::flat_buffer& buffer,
                                              const ServerOptions& options,
                                              bhttp::request_parser<bhttp::empty_body>& head,
                                              IncomingRequest& out) {
  bhttp::request_parser<bhttp::buffer_body> parser{std::move(head)};
  // Set again on the parser that reads the body: a chunked body is counted against it chunk by
  // chunk, and no library default may apply (STYLE.md §6).
  parser.body_limit(options.max_body_bytes);
  if (parser.is_done()) co_return ReadOutcome{ReadOutcome::Kind::Request};
  if (const auto length = parser.content_length()) {
    out.body.reserve(static_cast<std::size_t>(*length));  // within max_body_bytes, checked above
  }
  const auto scratch = std::make_unique_for_overwrite<char[]>(kReadChunk);
  while (!parser.is_done()) {
    parser.get().body().data = scratch.get();
    parser.get().body().size = kReadChunk;
    stream.tcp().expires_after(options.body_timeout);
    auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kReadNoThrow);
    if (ec == bhttp::error::body_limit) co_return refused(ServerError::RequestTooLarge);
    if (ec && ec != bhttp::error::need_buffer) co_return ReadOutcome{};
    out.body.append(scratch.get(), kReadChunk - parser.get().body().size);
  }
  co_return ReadOutcome{ReadOutcome::Kind::Request};
}

// Reads one request into `out`, within the limits of `options`: Closed when the connection ended
// (or a kept-alive one stayed idle), Refused with the error to answer, or Request with the whole
// body. `first_deadline` is set for a connection's first request (its head is due then, counted
// from the accept); `idle` is true while no byte of the request has come. Runs on the
// connection's strand; every reference must outlive the call.
inline asio::awaitable<ReadOutcome> read_request(
    AnyStream& stream, beast::flat_buffer& buffer, const ServerOptions& options,
    std::optional<SteadyClock::time_point> first_deadline, bool& idle, IncomingRequest& out) {
  // Wait for the request's first byte. A kept-alive connection may wait idle_timeout and is then
  // closed without an answer (the client sent nothing it could expect one for); a new
  // connection's header_timeout runs from the accept, so one that sends nothing gets a 408.
  if (buffer.size() == 0) {
    buffer.shrink_to_fit();  // an idle connection holds no read buffer
    idle = true;
    std::optional<Watchdog> watchdog;
    if (first_deadline) {
      watchdog.emplace(stream, *first_deadline);
    } else {
      stream.tcp().expires_after(options.idle_timeout);
    }
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kReadNoThrow);
    idle = false;
    if (ec && watchdog && watchdog->fired()) co_return refused(ServerError::RequestTimeout);
    if (ec) co_return ReadOutcome{};
    buffer.commit(n);
  }
  idle = false;

  // The head: one deadline for all of it (a client trickling bytes gains nothing), and both
  // limits set explicitly. Beast checks a Content-Length against body_limit as soon as the head
  // is parsed, so without it a body over Beast's 1 MiB default would end the connection here.
  bhttp::request_parser<bhttp::empty_body> head;
  head.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
  head.body_limit(options.max_body_bytes);
  beast::error_code ec;
  std::size_t head_bytes = 0;
  {
    const Watchdog watchdog(stream,
                            first_deadline.value_or(SteadyClock::now() + options.header_timeout));
    auto [read_ec, n] = co_await bhttp::async_read_header(stream, buffer, head, kReadNoThrow);
    ec = read_ec && watchdog.fired() ? beast::error::timeout
                                     : read_ec;  // a late timer is no timeout
    head_bytes = n;
  }
  copy_head(head.get(), out);
  // Beast applies header_limit to the request line and to the fields separately; the whole head
  // is what the limit means here.
  if (ec == bhttp::error::header_limit || (!ec && head_bytes > options.max_header_bytes)) {
    co_return refused(ServerError::HeadersTooLarge);
  }
  if (ec == bhttp::error::body_limit) co_return refused(ServerError::RequestTooLarge);
  if (ec == beast::error::timeout) co_return refused(ServerError::RequestTimeout);
  if (ec) co_return ReadOutcome{};

  if (beast::iequals(head.get()[bhttp::field::expect], "100-continue")) {
    // curl and others wait for this before sending a large body (RFC 9110 §10.1.1).
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.tcp().expires_after(options.write_timeout);
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(kContinue), kReadNoThrow);
    if (wec) co_return ReadOutcome{};
  }
  co_return co_await read_body(stream, buffer, options, head, out);
}

// Half-closes a connection after an answer that ends it and reads and drops what the client
// still sends (ServerOptions::max_discard_bytes, linger_timeout), for at most `at_most`.
inline asio::awaitable<void> linger(AnyStream& stream, const ServerOptions& options,
                                    std::chrono::seconds at_most) {
  // Closing a socket with unread input makes the kernel send a reset, which can destroy the
  // answer before the client reads it. Half-close, then drain until the client closes too.
  auto& tcp_stream = stream.tcp();
  beast::error_code ignored;
  tcp_stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  const auto until = SteadyClock::now() + at_most;
  const auto scratch = std::make_unique_for_overwrite<char[]>(kReadChunk);
  std::size_t dropped = 0;
  while (dropped <= options.max_discard_bytes && SteadyClock::now() < until) {
    tcp_stream.expires_at(std::min(until, SteadyClock::now() + options.linger_timeout));
    auto [ec, n] =
        co_await tcp_stream.async_read_some(asio::buffer(scratch.get(), kReadChunk), kReadNoThrow);
    if (ec) break;
    dropped += n;
  }
}

}  // namespace credpool::http::detail
