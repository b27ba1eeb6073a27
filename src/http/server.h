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

struct ServerOptions {
  std::size_t max_body_bytes = 32u << 20;      // DESIGN: limits.max_body_bytes default, 32 MiB
  std::size_t max_discard_bytes = 256u << 20;  // DESIGN: read and discard up to 256 MiB for a 413
  std::size_t max_header_bytes = 64u << 10;
  std::chrono::seconds read_timeout{30};   // deadline of each read of a request under way
  std::chrono::seconds idle_timeout{75};   // wait for the next request on a kept-alive connection
  std::chrono::seconds write_timeout{60};  // deadline of each write to the client
  // Formats the 413 body in the client's wire; empty: {"error":{...,"code":"request_too_large"}}.
  // The request passed has method, target and headers but no body.
  std::function<std::string(const IncomingRequest&)> too_large_body;
  std::string too_large_content_type = "application/json";
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
// read and write, a request body limit. The Runtime must outlive it.
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
  // Stops accepting and closes every open connection (in-flight handlers see write errors).
  // Returns at once; thread-safe.
  void stop();
  // Waits until the listening socket is closed and no connection is open (after stop()), at most
  // `timeout`; returns whether that happened. Blocks: never call it from an io thread.
  bool wait_idle(std::chrono::milliseconds timeout);
  // Returns the number of open connections. Thread-safe.
  std::size_t open_connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace credpool::http
