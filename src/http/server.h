#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "http/message.h"
#include "http/runtime.h"
#include "http/server_error.h"

namespace credpool::http {

// Lets a handler answer with a whole body or a chunked stream. Lives as long as the handler call;
// used only from the connection's strand (the handler's own coroutine). Every call returns false
// when the client is gone (write error or timeout); the handler should then stop.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // Sends a complete response with Content-Length. Content-Length, Transfer-Encoding and
  // Connection fields in `headers` are ignored: the server sets them.
  virtual boost::asio::awaitable<bool> send(int status, HeaderList headers, std::string body) = 0;
  // Sends the head of a chunked response (Transfer-Encoding: chunked).
  virtual boost::asio::awaitable<bool> start_stream(int status, HeaderList headers) = 0;
  // Writes one chunk and flushes it to the socket at once. An empty `data` writes nothing.
  virtual boost::asio::awaitable<bool> write_chunk(std::string_view data) = 0;
  // Writes the last chunk. A stream the handler leaves unfinished is cut by closing the connection.
  virtual boost::asio::awaitable<bool> finish_stream() = 0;
  // Returns true once a response head has been sent.
  virtual bool started() const = 0;
};

// Answers one request. Runs on the connection's strand; may co_await anything. A handler that
// returns without answering yields a 500. Exceptions are logged as bugs and close the connection.
using Handler = std::function<boost::asio::awaitable<void>(IncomingRequest&, ResponseWriter&)>;

// Every limit of the server, set explicitly: none of the HTTP library's own defaults (Beast's
// 1 MiB request body limit, its 8 KiB header limit) applies (STYLE.md §6). Defaults are DESIGN's
// `limits` defaults.
struct ServerOptions {
  std::size_t max_body_bytes = 32u << 20;    // over it: 413 (limits.max_body_bytes)
  std::size_t max_header_bytes = 64u << 10;  // request line + fields + blank line; over it: 431
  // From accept (or from the first byte of a kept-alive connection's next request) until the
  // request head is complete; then 408 and close (limits.header_timeout). A connection that
  // sends nothing gets the 408 too.
  std::chrono::seconds header_timeout{30};
  // A kept-alive connection waiting for its next request is closed, quietly, after this
  // (limits.client_idle_timeout).
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds body_timeout{30};   // between two reads of a request body
  std::chrono::seconds write_timeout{60};  // deadline of each write to the client
  // Open connections served at once; one more is answered 503 and closed (limits.max_connections).
  std::size_t max_connections = 4096;
  // After an error answer that ends a connection (413, 431, 408, 503) the server half-closes and
  // reads and drops what the client still sends, so that the client reads the answer instead of
  // a reset (RFC 9112 §9.6; nginx's lingering close): at most this many bytes, each read within
  // linger_timeout.
  std::size_t max_discard_bytes = 256u << 20;
  std::chrono::seconds linger_timeout{5};
  // Formats 413, 431, 408 and 503 answers; empty: {"error":{"message","type","code"}} JSON.
  ErrorFormatter error_answer;
  // Both set: serve HTTPS with this PEM certificate chain and private key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Receives one line per unexpected event (escaped exception, accept failure). Empty: stderr.
  // Called from io threads; must be thread-safe.
  std::function<void(std::string_view)> log_error;
};

// Says where the server listens, or why it could not.
struct ListenResult {
  std::uint16_t port = 0;  // the bound port (useful with port 0)
  std::string error;       // empty on success
  bool ok() const { return error.empty(); }
};

// An HTTP/1.1 server: one strand and one coroutine per connection, keep-alive, a deadline on every
// read and write, limits on connections, head and body (ServerOptions). HEAD is answered like
// GET without a body: the handler sees the method "HEAD" and its response body is not sent.
// The Runtime must outlive it.
class Server {
 public:
  Server(Runtime& runtime, ServerOptions options, Handler handler);
  // Stops accepting and closes connections (does not wait).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (port 0: any free port) and starts accepting. `host` is an IP literal or a
  // name resolved synchronously (startup only). Call once. Fails on a bad address, a port in use
  // or unreadable TLS files.
  ListenResult listen(const std::string& host, std::uint16_t port);
  // Starts a graceful stop: closes the listening socket (new connections are refused), closes
  // connections waiting for a request, and lets requests under way finish; their connections
  // close after the response (`Connection: close`). Returns at once; thread-safe.
  void drain();
  // Stops accepting and closes every open connection (in-flight handlers see write errors).
  // Returns at once; thread-safe.
  void stop();
  // Waits until the listening socket is closed and no connection is open (after drain() or
  // stop()), at most `timeout`; returns whether that happened. Blocks: never call it from an io
  // thread.
  bool wait_idle(std::chrono::milliseconds timeout);
  // Returns the number of open connections. Thread-safe.
  std::size_t open_connections() const;

 private:
  struct State;
  // Closes the listening socket on its strand: new connections are refused from then on.
  static void close_listener(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace credpool::http
