#include "gateway/gateway.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/recovery_policy.h"
#include "gateway/errors.h"
#include "gateway/rate_limit_remaining.h"
#include "gateway/upstream_request.h"
#include "views/pool_view.h"

namespace credpool::gateway {
namespace {

constexpr std::string_view kJson = "application/json";

bool is_proxied_post(std::string_view path) {
  return path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/embeddings" ||
         path == "/v1/responses" || path == "/v1/messages" || path == "/v1/messages/count_tokens";
}

bool is_openai_endpoint(std::string_view path) {
  return path == "/v1/chat/completions" || path == "/v1/completions" || path == "/v1/embeddings" ||
         path == "/v1/responses";
}

bool is_get_only(std::string_view path) {
  return path == "/v1/models" || path == "/healthz" || path == "/metrics" || path == "/admin/pools";
}

// Returns 405 with `Allow: <allowed>` in the client's wire.
ErrorResponse method_not_allowed(providers::Wire wire, std::string_view method,
                                 std::string_view path, std::string_view allowed) {
  ErrorResponse error =
      make_error(wire, GatewayError::MethodNotAllowed,
                 fmt::format("{} is not allowed on {}; use {}", method, path, allowed));
  error.headers.emplace_back("allow", std::string(allowed));
  return error;
}

// Compares two strings in time independent of where they differ (client keys are secrets).
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

// Returns the outcome of a request credpool answered itself.
ProxyOutcome answered(int status) {
  ProxyOutcome outcome;
  outcome.status = status;
  return outcome;
}

}  // namespace

std::string path_of(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

providers::Wire wire_for_path(std::string_view path) {
  return path.starts_with("/v1/messages") ? providers::Wire::Anthropic : providers::Wire::OpenAI;
}

providers::Wire client_wire(const http::IncomingRequest& request) {
  const std::string path = path_of(request.target);
  if (wire_for_path(path) == providers::Wire::Anthropic) return providers::Wire::Anthropic;
  if (!is_openai_endpoint(path) && http::find_header(request.headers, "anthropic-version")) {
    return providers::Wire::Anthropic;
  }
  return providers::Wire::OpenAI;
}

std::string_view credpool_version() { return CREDPOOL_VERSION; }

Gateway::Gateway(std::shared_ptr<const config::Config> config, CredentialService& credentials,
                 http::UpstreamClient& upstream, Metrics& metrics, const core::Clock& clock,
                 std::uint64_t seed)
    : config_(std::move(config)),
      credentials_(credentials),
      metrics_(metrics),
      clock_(clock),
      random_(seed),
      deps_{*config_, credentials,
            upstream, metrics,
            clock,    [this](std::chrono::milliseconds wait) { return jitter(wait); }} {}

std::string Gateway::request_id(const http::IncomingRequest& request) {
  if (auto given = http::find_header(request.headers, "x-request-id")) {
    const bool printable =
        std::all_of(given->begin(), given->end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!given->empty() && given->size() <= 128 && printable) return std::string(*given);
  }
  std::scoped_lock lock(random_mutex_);
  return fmt::format("req_{:016x}", random_.below(~std::uint64_t{0}));
}

std::chrono::milliseconds Gateway::jitter(std::chrono::milliseconds wait) {
  std::scoped_lock lock(random_mutex_);
  return core::jittered(wait, core::kMaxTotalWait, random_);
}

bool Gateway::client_key_ok(const http::IncomingRequest& request) const {
  if (config_->client_keys.empty()) return true;
  std::string_view given;
  if (auto auth = http::find_header(request.headers, "authorization")) {
    if (auth->size() > 7 && (auth->starts_with("Bearer ") || auth->starts_with("bearer "))) {
      given = auth->substr(7);
    }
  }
  if (given.empty()) {
    if (auto key = http::find_header(request.headers, "x-api-key")) given = *key;
  }
  if (given.empty()) return false;
  bool ok = false;
  for (const core::Secret& key : config_->client_keys) ok |= same_secret(key.reveal(), given);
  return ok;
}

http::ErrorAnswer Gateway::server_error_answer(http::ServerError error,
                                               const http::IncomingRequest& request) const {
  const auto [kind, message] = [&]() -> std::pair<GatewayError, std::string> {
    const auto& limits = config_->limits;
    switch (error) {
      case http::ServerError::RequestTooLarge:
        return {GatewayError::RequestTooLarge,
                fmt::format("request body is larger than limits.max_body_bytes ({} bytes)",
                            limits.max_body_bytes)};
      case http::ServerError::HeadersTooLarge:
        return {GatewayError::HeadersTooLarge,
                fmt::format("request headers are larger than limits.max_header_bytes ({} bytes)",
                            limits.max_header_bytes)};
      case http::ServerError::RequestTimeout:
        return {GatewayError::RequestTimeout,
                fmt::format("no complete request head within limits.header_timeout ({} s)",
                            limits.header_timeout.count())};
      case http::ServerError::Overloaded:
        return {GatewayError::Overloaded,
                fmt::format("too many open connections (limits.max_connections {}); retry",
                            limits.max_connections)};
    }
    return {GatewayError::InvalidRequest, "bad request"};
  }();
  ErrorResponse response = make_error(
      client_wire(request), kind, message,
      kind == GatewayError::Overloaded ? std::optional(std::chrono::seconds(1)) : std::nullopt);
  return {std::move(response.headers), std::move(response.body)};
}

std::optional<ErrorResponse> Gateway::answer_locally(const http::IncomingRequest& request,
                                                     ProxyRequest& proxy) const {
  const std::string path = path_of(request.target);
  const providers::Wire wire = client_wire(request);
  // HEAD is answered as GET; the server sends no body (DESIGN.md "Routing").
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/healthz") {  // the one route without a client key
    if (!get) return method_not_allowed(wire, request.method, path, "GET");
    const nlohmann::json health = {{"status", "ok"}, {"version", credpool_version()}};
    return ErrorResponse{200, {{"content-type", std::string(kJson)}}, health.dump()};
  }
  if (!client_key_ok(request)) {
    return make_error(wire, GatewayError::InvalidClientKey, "missing or invalid client key");
  }
  if (is_proxied_post(path) && request.method != "POST") {
    return method_not_allowed(wire, request.method, path, "POST");
  }
  if (is_get_only(path) && !get) return method_not_allowed(wire, request.method, path, "GET");
  if (get && path == "/metrics") {
    return ErrorResponse{200,
                         {{"content-type", "text/plain; version=0.0.4"}},
                         metrics_.render(credentials_.gauges(clock_.wall_now()))};
  }
  if (get && path == "/admin/pools") {
    const auto now = clock_.wall_now();
    nlohmann::json pools = views::pools_json(credentials_.views(now), now);
    add_rate_limit_remaining(pools, credentials_.rate_limits());
    return ErrorResponse{200, {{"content-type", std::string(kJson)}}, pools.dump()};
  }
  if (!path.starts_with("/v1/")) {
    return make_error(wire, GatewayError::NotFound, "unknown path " + path);
  }
  // A request without a model (GET /v1/models) from an Anthropic client goes to
  // default_anthropic_provider, in the Anthropic wire.
  proxy = ProxyRequest{wire, wire == providers::Wire::Anthropic, "", ""};
  if (!request.body.empty()) {
    const auto json = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      if (is_proxied_post(path)) {
        return make_error(wire, GatewayError::InvalidRequest, "request body is not a JSON object");
      }
    } else if (const auto it = json.find("model"); it != json.end() && it->is_string()) {
      proxy.model = it->get<std::string>();
    }
  } else if (request.method == "POST" && is_proxied_post(path)) {
    return make_error(wire, GatewayError::InvalidRequest, "request body is empty");
  }
  return std::nullopt;
}

boost::asio::awaitable<ProxyOutcome> Gateway::route(http::IncomingRequest& request,
                                                    http::ResponseWriter& writer) {
  ProxyRequest proxy;
  std::optional<ErrorResponse> local = answer_locally(request, proxy);
  if (local) {
    const int status = local->status;
    co_await writer.send(status, std::move(local->headers), std::move(local->body));
    co_return answered(status);
  }
  proxy.request_id = request_id(request);
  // HEAD goes upstream as GET (not every provider answers HEAD); the server drops the body.
  if (request.method == "HEAD") request.method = "GET";
  co_return co_await run_attempts(deps_, request, proxy, writer);
}

boost::asio::awaitable<void> Gateway::handle(http::IncomingRequest& request,
                                             http::ResponseWriter& writer) {
  const auto started = clock_.steady_now();
  const std::string method = request.method;  // route() sends a HEAD upstream as GET
  const ProxyOutcome outcome = co_await route(request, writer);
  const auto elapsed = clock_.steady_now() - started;
  if (outcome.attempts > 0) metrics_.observe_overhead(elapsed - outcome.upstream);
  spdlog::info(
      "event=request method={} path={} status={} provider={} credential={} attempts={} "
      "ms={}",
      method, path_of(request.target), outcome.status,
      outcome.provider.empty() ? "-" : outcome.provider,
      outcome.credential.empty() ? "-" : outcome.credential, outcome.attempts,
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
}

}  // namespace credpool::gateway
