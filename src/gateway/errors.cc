#include "gateway/errors.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace credpool::gateway {
namespace {

// The OpenAI `type` field, as OpenAI's own API uses it for each status.
std::string_view openai_type(GatewayError error) {
  switch (error) {
    case GatewayError::InvalidClientKey:
      return "authentication_error";
    case GatewayError::RequestTooLarge:
    case GatewayError::InvalidRequest:
    case GatewayError::NotFound:
    case GatewayError::MethodNotAllowed:
      return "invalid_request_error";
    case GatewayError::CredentialsExhausted:
      return "rate_limit_error";
    case GatewayError::CredentialsMissing:
    case GatewayError::UpstreamUnreachable:
    case GatewayError::UpstreamTimeout:
      return "api_error";
  }
  return "api_error";
}

// The Anthropic `error.type`, from Anthropic's documented error types (docs "Errors").
std::string_view anthropic_type(GatewayError error) {
  switch (error) {
    case GatewayError::InvalidClientKey:
      return "authentication_error";
    case GatewayError::RequestTooLarge:
      return "request_too_large";
    case GatewayError::InvalidRequest:
    case GatewayError::MethodNotAllowed:
      return "invalid_request_error";
    case GatewayError::NotFound:
      return "not_found_error";
    case GatewayError::CredentialsExhausted:
      return "rate_limit_error";
    case GatewayError::CredentialsMissing:
      return "overloaded_error";
    case GatewayError::UpstreamUnreachable:
    case GatewayError::UpstreamTimeout:
      return "api_error";
  }
  return "api_error";
}

}  // namespace

int status_of(GatewayError error) {
  switch (error) {
    case GatewayError::InvalidClientKey:
      return 401;
    case GatewayError::RequestTooLarge:
      return 413;
    case GatewayError::InvalidRequest:
      return 400;
    case GatewayError::CredentialsExhausted:
      return 429;
    case GatewayError::CredentialsMissing:
      return 503;
    case GatewayError::UpstreamUnreachable:
      return 502;
    case GatewayError::UpstreamTimeout:
      return 504;
    case GatewayError::NotFound:
      return 404;
    case GatewayError::MethodNotAllowed:
      return 405;
  }
  return 500;
}

std::string_view code_of(GatewayError error) {
  switch (error) {
    case GatewayError::InvalidClientKey:
      return "invalid_client_key";
    case GatewayError::RequestTooLarge:
      return "request_too_large";
    case GatewayError::InvalidRequest:
      return "invalid_request_error";
    case GatewayError::CredentialsExhausted:
      return "credentials_exhausted";
    case GatewayError::CredentialsMissing:
      return "credentials_missing";
    case GatewayError::UpstreamUnreachable:
      return "upstream_unreachable";
    case GatewayError::UpstreamTimeout:
      return "upstream_timeout";
    case GatewayError::NotFound:
      return "not_found";
    case GatewayError::MethodNotAllowed:
      return "method_not_allowed";
  }
  return "unknown";
}

ErrorResponse make_error(providers::Wire wire, GatewayError error, std::string_view message,
                         std::optional<std::chrono::seconds> retry_after) {
  nlohmann::json body;
  const std::string text(message);
  switch (wire) {
    case providers::Wire::OpenAI:
      body = {
          {"error", {{"message", text}, {"type", openai_type(error)}, {"code", code_of(error)}}}};
      break;
    case providers::Wire::Anthropic:
      body = {{"type", "error"},
              {"error",
               {{"type", anthropic_type(error)}, {"message", text}, {"code", code_of(error)}}}};
      break;
  }
  ErrorResponse response;
  response.status = status_of(error);
  response.headers.emplace_back("content-type", "application/json");
  if (retry_after) {
    const auto seconds = std::max<long long>(1, retry_after->count());
    response.headers.emplace_back("retry-after", std::to_string(seconds));
  }
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace credpool::gateway
