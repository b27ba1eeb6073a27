#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "config/config.h"
#include "core/clock.h"
#include "core/random.h"
#include "gateway/credential_service.h"
#include "gateway/metrics.h"
#include "http/message.h"
#include "http/server.h"
#include "http/upstream_client.h"
#include "providers/catalogue.h"

namespace credpool::gateway {

// What the attempt loop needs, owned by the Gateway and outliving every request.
struct AttemptDeps {
  const config::Config& config;
  CredentialService& credentials;
  http::UpstreamClient& upstream;
  Metrics& metrics;
  const core::Clock& clock;
  // Returns a jitter source for retry waits. Called on io threads; must be thread-safe.
  std::function<std::chrono::milliseconds(std::chrono::milliseconds)> jitter;
};

// One client request as the attempt loop sees it.
struct ProxyRequest {
  providers::Wire client_wire = providers::Wire::OpenAI;  // for credpool's own errors
  bool anthropic_endpoint = false;                        // routes /v1/messages* to anthropic
  std::string model;                                      // empty: default_provider
  std::string request_id;                                 // names the request in the journal
};

// Says how a proxied request ended, for the access log.
struct ProxyOutcome {
  int status = 0;
  std::string provider;    // of the attempt that answered; empty for credpool's own 429
  std::string credential;  // its label
  int attempts = 0;
  std::chrono::nanoseconds upstream{0};  // time spent waiting on upstream heads and error bodies
};

// Runs the attempt loop for one request: routes it, then per route step picks a credential of
// that step's pool, sends upstream, classifies, and applies decide_recovery to that attempt's own
// pool and credential (a fallback's failure never touches the primary pool). Answers through
// `writer`: a clean response is relayed (a whole non-stream body within the 64 KiB soft-failure
// hold-back with its Content-Length, bigger bodies and event streams chunk by chunk; a success's
// rate-limit budget headers are recorded for its credential), an upstream error is
// passed through unchanged, and credpool answers itself with 429 credentials_exhausted, 502 or
// 504. Runs on the connection's strand; `deps`, `request` and `writer` must outlive the call
// (the handler's frame awaits it).
boost::asio::awaitable<ProxyOutcome> run_attempts(const AttemptDeps& deps,
                                                  const http::IncomingRequest& request,
                                                  const ProxyRequest& proxy,
                                                  http::ResponseWriter& writer);

}  // namespace credpool::gateway
