#include "gateway/errors.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace credpool::gateway {

std::string_view openai_type_of(GatewayError error) {
  const int status = status_of(error);
  if (status == 401) return "authentication_error";
  if (status == 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

std::string_view anthropic_type_of(GatewayError error) {
  const int status = status_of(error);
  if (status == 503) return "overloaded_error";
  if (status == 404) return "not_found_error";
  return openai_type_of(error);
}

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
    case GatewayError::HeadersTooLarge:
      return 431;
    case GatewayError::RequestTimeout:
      return 408;
    case GatewayError::Overloaded:
      return 503;
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
    case GatewayError::HeadersTooLarge:
      return "headers_too_large";
    case GatewayError::RequestTimeout:
      return "request_timeout";
    case GatewayError::Overloaded:
      return "overloaded";
  }
  return "unknown";
}

ErrorResponse make_error(providers::Wire wire, GatewayError error, std::string_view message,
                         std::optional<std::chrono::seconds> retry_after) {
  nlohmann::json body;
  const std::string code(code_of(error));
  switch (wire) {
    case providers::Wire::OpenAI:
      body = {
          {"error",
           {{"message", std::string(message)}, {"type", openai_type_of(error)}, {"code", code}}}};
      break;
    case providers::Wire::Anthropic:
      body = {{"type", "error"},
              {"error",
               {{"type", anthropic_type_of(error)},
                {"message", code + ": " + std::string(message)},
                {"code", code}}}};
      break;
  }
  ErrorResponse response;
  response.status = status_of(error);
  response.headers.emplace_back("content-type", "application/json");
  response.headers.emplace_back("x-credpool-error", code);
  if (retry_after) {
    const auto seconds = std::max<long long>(1, retry_after->count());
    response.headers.emplace_back("retry-after", std::to_string(seconds));
  }
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace credpool::gateway
