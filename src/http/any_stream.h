#pragma once

// Internal to src/http (the only place Beast may be included): server.cc and upstream_client.cc.

#include <cstddef>
#include <memory>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace credpool::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Erases "plain or TLS" so each HTTP composed operation is instantiated once per call site,
// not once per stream type (compile time, cpp-deps.md §4). Deadlines are set on tcp(); they also
// bound TLS reads and writes, which go through it. Not thread-safe: one user at a time.
class AnyStream {
 public:
  using executor_type = asio::any_io_executor;

  explicit AnyStream(beast::tcp_stream tcp)
      : plain_(std::make_unique<beast::tcp_stream>(std::move(tcp))) {}
  AnyStream(beast::tcp_stream tcp, asio::ssl::context& context)
      : tls_(std::make_unique<TlsStream>(std::move(tcp), context)) {}

  executor_type get_executor() { return tcp().get_executor(); }
  beast::tcp_stream& tcp() { return plain_ ? *plain_ : tls_->next_layer(); }
  // Returns the TLS layer, or null for a plain stream.
  TlsStream* tls() { return tls_.get(); }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            plain_->async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            plain_->async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  // Closes the socket at once (no TLS close_notify: the peer sees the TCP close). Pending
  // operations complete with operation_aborted.
  void close() {
    beast::error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

 private:
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace credpool::http::detail
