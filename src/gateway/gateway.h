#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "config/config.h"
#include "core/clock.h"
#include "core/random.h"
#include "gateway/attempt_loop.h"
#include "gateway/credential_service.h"
#include "gateway/errors.h"
#include "gateway/metrics.h"
#include "http/message.h"
#include "http/server.h"
#include "http/upstream_client.h"

namespace credpool::gateway {

// Answers every request of `credpool serve`: the proxied /v1/* endpoints, /healthz, /metrics
// and /admin/pools, with the client-key check and one access-log line per request.
// Thread-safe: handle() runs concurrently on many strands. Every reference must outlive it.
class Gateway {
 public:
  Gateway(std::shared_ptr<const config::Config> config, CredentialService& credentials,
          http::UpstreamClient& upstream, Metrics& metrics, const core::Clock& clock,
          std::uint64_t seed);

  // Handles one request (the http::Handler of the server).
  boost::asio::awaitable<void> handle(http::IncomingRequest& request, http::ResponseWriter& writer);

  // Formats the server's own errors (413, 431, 408, 503 overloaded) as credpool errors in the
  // client's wire (for ServerOptions::error_answer). Thread-safe.
  http::ErrorAnswer server_error_answer(http::ServerError error,
                                        const http::IncomingRequest& request) const;

 private:
  boost::asio::awaitable<ProxyOutcome> route(http::IncomingRequest& request,
                                             http::ResponseWriter& writer);
  // Answers /healthz, /metrics, /admin/pools, a bad client key, an unknown path or a bad body;
  // otherwise fills `proxy` and returns nullopt (the attempt loop answers).
  std::optional<ErrorResponse> answer_locally(const http::IncomingRequest& request,
                                              ProxyRequest& proxy) const;
  bool client_key_ok(const http::IncomingRequest& request) const;
  std::chrono::milliseconds jitter(std::chrono::milliseconds wait);
  // Returns the client's x-request-id when it is short printable ASCII, else a new "req_<hex>".
  std::string request_id(const http::IncomingRequest& request);

  std::shared_ptr<const config::Config> config_;
  CredentialService& credentials_;
  Metrics& metrics_;
  const core::Clock& clock_;
  std::mutex random_mutex_;
  core::SplitMixRandom random_;
  AttemptDeps deps_;
};

// Returns the path of a request target without its query ("/v1/models?x" -> "/v1/models").
std::string path_of(std::string_view target);

// Returns the wire of credpool's own errors for a path: Anthropic for /v1/messages*, else OpenAI.
providers::Wire wire_for_path(std::string_view path);

// Returns the wire a client speaks: Anthropic for /v1/messages*, and for requests that name no
// endpoint of the OpenAI wire (GET /v1/models, /healthz, ...) when they carry `anthropic-version`
// (as Anthropic SDKs always do); else OpenAI.
providers::Wire client_wire(const http::IncomingRequest& request);

// Returns the project version ("x.y.z"), from CMake's project(VERSION).
std::string_view credpool_version();

}  // namespace credpool::gateway
