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
  // Unused: the ledger jitters retry waits itself (kept until gateway.cc stops setting it).
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

// Runs one proxied request: routes it, then executes its core::AttemptLedger's actions (pick a
// credential of the step's pool, send, wait, mark durably, relay, pass the upstream's answer
// through, or answer with credpool's own error) until the ledger ends the request. Every policy
// decision is the ledger's; this only does I/O, metrics and the journal. Runs on the
// connection's executor; `deps`, `request` and `writer` must outlive the call (the handler's
// frame awaits it).
boost::asio::awaitable<ProxyOutcome> run_attempts(const AttemptDeps& deps,
                                                  const http::IncomingRequest& request,
                                                  const ProxyRequest& proxy,
                                                  http::ResponseWriter& writer);

}  // namespace credpool::gateway
