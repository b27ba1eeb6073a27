#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "http/message.h"
#include "http/runtime.h"

namespace credpool::http {

// Bounds one upstream call. Zero means no limit.
struct Timeouts {
  std::chrono::milliseconds connect{10000};      // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds first_byte{600000};  // request written -> response head complete
  std::chrono::milliseconds idle{300000};        // between two body reads
  std::chrono::milliseconds total{0};            // whole call, head and body (0: none)
};

struct UpstreamRequest {
  std::string method = "GET";
  std::string url;     // http://host[:port]/path?query or https://...
  HeaderList headers;  // Host, Content-Length are set by the client when absent
  std::string body;
  Timeouts timeouts;
};

// Says why an upstream call or body read failed. None: no failure (any HTTP status).
enum class UpstreamError { None, BadUrl, Resolve, Connect, Tls, Timeout, Protocol, Closed };

// Returns the stable lower-case name ("connect", "tls", ...).
std::string_view to_string(UpstreamError error);
std::ostream& operator<<(std::ostream& out, UpstreamError error);

// A response whose head has arrived; the body is read incrementally (SSE) or whole. Use it from
// one coroutine at a time. Destroying it before the body ended closes the connection, which
// cancels the upstream request.
class UpstreamResponse {
 public:
  UpstreamResponse(int status, HeaderList headers)
      : status_(status), headers_(std::move(headers)) {}
  virtual ~UpstreamResponse() = default;
  UpstreamResponse(const UpstreamResponse&) = delete;
  UpstreamResponse& operator=(const UpstreamResponse&) = delete;

  int status() const { return status_; }
  const HeaderList& headers() const { return headers_; }

  // Returns the next body bytes as they arrive (each non-empty); nullopt at the end of the body
  // or on failure, which error() then names. The idle timeout bounds each call.
  virtual boost::asio::awaitable<std::optional<std::string>> read_some() = 0;
  // Returns UpstreamError::None while reading is fine or after a clean end.
  virtual UpstreamError error() const = 0;

  // Reads the rest of the body, keeping at most `max_bytes` (the rest is read and dropped);
  // check error() afterwards.
  boost::asio::awaitable<std::string> read_all(std::size_t max_bytes = 64u << 20);

 private:
  int status_;
  HeaderList headers_;
};

using UpstreamResult = std::pair<UpstreamError, std::unique_ptr<UpstreamResponse>>;

// Sends requests to upstream APIs. This is the seam the gateway's tests fake.
class UpstreamClient {
 public:
  virtual ~UpstreamClient() = default;
  // Sends `request` and returns once the response head arrived (any status: UpstreamError::None)
  // or the call failed (null response). Runs on the caller's executor; thread-safe.
  virtual boost::asio::awaitable<UpstreamResult> send(UpstreamRequest request) = 0;
};

struct ClientOptions {
  std::string ca_file;  // extra PEM CA bundle, besides the system store / SSL_CERT_FILE / _DIR
  bool use_system_ca = true;           // false: trust only ca_file (tests)
  std::size_t max_idle_per_host = 32;  // idle keep-alive connections kept per scheme://host:port
};

struct MadeClient {
  std::unique_ptr<UpstreamClient> client;  // null on failure
  std::string error;                       // names the file that could not be loaded
};

// Returns a Beast/OpenSSL client with a keep-alive pool per (scheme, host, port): TLS with SNI,
// peer and host name verification. A pooled connection found dead before any response byte is
// retried once on a fresh one. Fails when ca_file cannot be loaded. The Runtime must outlive
// the client, and the client every response it returned.
MadeClient make_upstream_client(Runtime& runtime, ClientOptions options);

}  // namespace credpool::http
