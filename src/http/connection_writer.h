#pragma once

// Internal to src/http: the ResponseWriter of one server connection (included by server.cc only).

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>

#include "http/any_stream.h"
#include "http/server.h"

namespace credpool::http::detail {

namespace bhttp = boost::beast::http;

// Boost 1.81 needs the wrapped form (STYLE.md §4): errors come back as values, never thrown.
inline constexpr auto kWriteNoThrow = asio::as_tuple(asio::use_awaitable);

inline bool is_framing_field(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

template <class Fields>
void copy_headers(const HeaderList& from, Fields& to) {
  for (const auto& [name, value] : from) {
    if (!is_framing_field(name)) to.insert(name, value);
  }
}

inline unsigned clamp_status(int status) {
  return static_cast<unsigned>(std::clamp(status, 100, 999));
}

// Answers one request on a connection; remembers whether the connection can be kept alive.
class ConnectionWriter final : public ResponseWriter {
 public:
  // `cancel` is the connection's cancellation signal: emitted when the client goes away during a
  // stream, so whatever the handler awaits (an upstream read) ends and the upstream is closed.
  // `head_only` (a HEAD request): heads are sent as they would be for GET, bodies never
  // (RFC 9110 §9.3.2); writing a chunk then returns false, so a relay stops reading upstream.
  // `closing`, when set, is read as the head is sent: true makes it `Connection: close` (the
  // server started draining while the handler ran); it must outlive the writer.
  ConnectionWriter(AnyStream& stream, bool keep_alive, std::chrono::seconds write_timeout,
                   std::shared_ptr<asio::cancellation_signal> cancel = nullptr,
                   bool head_only = false, const std::atomic<bool>* closing = nullptr)
      : stream_(stream),
        keep_alive_(keep_alive),
        head_only_(head_only),
        closing_(closing),
        write_timeout_(write_timeout),
        cancel_(std::move(cancel)) {}
  ~ConnectionWriter() override { *watching_ = false; }
  ConnectionWriter(const ConnectionWriter&) = delete;
  ConnectionWriter& operator=(const ConnectionWriter&) = delete;

  asio::awaitable<bool> send(int status, HeaderList headers, std::string body) override {
    if (started_) co_return false;
    started_ = true;
    if (closing_ && closing_->load()) keep_alive_ = false;
    bhttp::response<bhttp::string_body> res;
    res.version(11);
    res.result(clamp_status(status));
    copy_headers(headers, res);
    res.body() = std::move(body);
    res.keep_alive(keep_alive_);
    res.prepare_payload();  // Content-Length of the body, also for HEAD
    stream_.tcp().expires_after(write_timeout_);
    if (head_only_) {
      bhttp::response_serializer<bhttp::string_body> serializer{res};
      auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kWriteNoThrow);
      ok_ = !ec;
      co_return ok_;
    }
    auto [ec, n] = co_await bhttp::async_write(stream_, res, kWriteNoThrow);
    ok_ = !ec;
    co_return ok_;
  }

  asio::awaitable<bool> start_stream(int status, HeaderList headers) override {
    if (started_) co_return false;
    started_ = true;
    streaming_ = true;
    if (closing_ && closing_->load()) keep_alive_ = false;
    bhttp::response<bhttp::empty_body> res;
    res.version(11);
    res.result(clamp_status(status));
    copy_headers(headers, res);
    res.keep_alive(keep_alive_);
    res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> serializer{res};
    stream_.tcp().expires_after(write_timeout_);
    auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kWriteNoThrow);
    ok_ = !ec;
    finished_ = head_only_;  // no chunk follows a HEAD answer, not even the last one
    if (ok_ && cancel_ && !head_only_) watch_peer_close(stream_.tcp().socket(), watching_, cancel_);
    co_return ok_;
  }

  asio::awaitable<bool> write_chunk(std::string_view data) override {
    if (!ok_ || !streaming_ || finished_) co_return false;
    if (data.empty()) co_return true;  // an empty chunk would end the stream
    stream_.tcp().expires_after(write_timeout_);
    auto [ec, n] =
        co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(data)), kWriteNoThrow);
    ok_ = !ec;
    co_return ok_;
  }

  asio::awaitable<bool> finish_stream() override {
    if (head_only_ && ok_ && streaming_) co_return true;
    if (!ok_ || !streaming_ || finished_) co_return false;
    finished_ = true;
    *watching_ = false;
    stream_.tcp().expires_after(write_timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, bhttp::make_chunk_last(), kWriteNoThrow);
    ok_ = !ec;
    co_return ok_;
  }

  bool started() const override { return started_; }
  // Returns whether another request may follow on this connection.
  bool reusable() const { return ok_ && keep_alive_ && (!streaming_ || finished_); }
  void force_close() { keep_alive_ = false; }

 private:
  // While a stream is relayed the handler is usually awaiting the upstream, not writing, so a
  // client that hangs up would go unnoticed until the next event. Waiting for readability (which
  // consumes nothing) and peeking tells a close (0 bytes, or an error) from a pipelined request.
  // Runs on the connection's strand; `watching` is cleared when the stream ends or the writer goes.
  static void watch_peer_close(asio::ip::tcp::socket& socket, std::shared_ptr<bool> watching,
                               std::shared_ptr<asio::cancellation_signal> cancel) {
    socket.async_wait(
        asio::ip::tcp::socket::wait_read, [&socket, watching, cancel](const beast::error_code& ec) {
          if (!*watching || ec) return;
          char byte = 0;
          const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
          if (n > 0) return;  // the client sent more: it is still there
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            watch_peer_close(socket, watching, cancel);
            return;
          }
          *watching = false;
          cancel->emit(asio::cancellation_type::terminal);
        });
  }

  AnyStream& stream_;
  bool keep_alive_;
  bool head_only_;
  const std::atomic<bool>* closing_;
  std::chrono::seconds write_timeout_;
  bool started_ = false;
  bool streaming_ = false;
  bool finished_ = false;
  bool ok_ = true;
  std::shared_ptr<asio::cancellation_signal> cancel_;
  std::shared_ptr<bool> watching_ = std::make_shared<bool>(true);
};

}  // namespace credpool::http::detail
