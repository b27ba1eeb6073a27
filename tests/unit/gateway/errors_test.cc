#include "gateway/errors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gateway/upstream_request.h"

namespace credpool::gateway {
namespace {

using providers::Wire;

TEST(Errors, OpenAiWireBodyHasMessageTypeAndCode) {
  const ErrorResponse r = make_error(Wire::OpenAI, GatewayError::InvalidClientKey, "bad key");

  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body["error"]["message"], "bad key");
  EXPECT_EQ(body["error"]["type"], "authentication_error");
  EXPECT_EQ(body["error"]["code"], "invalid_client_key");
}

TEST(Errors, AnthropicWireBodyHasTopLevelTypeError) {
  const ErrorResponse r = make_error(Wire::Anthropic, GatewayError::RequestTooLarge, "too big");

  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body["type"], "error");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
}

TEST(Errors, AnthropicMessageStartsWithTheCredpoolCode) {
  const ErrorResponse r =
      make_error(Wire::Anthropic, GatewayError::CredentialsMissing, "no credentials for anthropic");

  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["message"], "credentials_missing: no credentials for anthropic");
}

TEST(Errors, BothWiresNameTheCodeInAHeader) {
  for (const Wire wire : {Wire::OpenAI, Wire::Anthropic}) {
    const ErrorResponse r = make_error(wire, GatewayError::UpstreamTimeout, "slow");

    EXPECT_EQ(find_header(r.headers, "x-credpool-error"), "upstream_timeout");
  }
}

TEST(Errors, OpenAiTypeFollowsThePinnedStatusTable) {
  const std::pair<GatewayError, std::string_view> rows[] = {
      {GatewayError::InvalidRequest, "invalid_request_error"},
      {GatewayError::InvalidClientKey, "authentication_error"},
      {GatewayError::RequestTooLarge, "invalid_request_error"},
      {GatewayError::HeadersTooLarge, "invalid_request_error"},
      {GatewayError::RequestTimeout, "invalid_request_error"},
      {GatewayError::CredentialsExhausted, "rate_limit_error"},
      {GatewayError::UpstreamUnreachable, "api_error"},
      {GatewayError::CredentialsMissing, "api_error"},
      {GatewayError::Overloaded, "api_error"},
      {GatewayError::UpstreamTimeout, "api_error"},
  };
  for (const auto& [error, type] : rows) {
    SCOPED_TRACE(std::string(code_of(error)));

    const auto body = nlohmann::json::parse(make_error(Wire::OpenAI, error, "m").body);

    EXPECT_EQ(body["error"]["type"], type);
    EXPECT_EQ(body["error"]["code"], code_of(error));
  }
}

TEST(Errors, AnthropicTypeFollowsThePinnedStatusTable) {
  const std::pair<GatewayError, std::string_view> rows[] = {
      {GatewayError::InvalidRequest, "invalid_request_error"},
      {GatewayError::InvalidClientKey, "authentication_error"},
      {GatewayError::RequestTooLarge, "invalid_request_error"},
      {GatewayError::CredentialsExhausted, "rate_limit_error"},
      {GatewayError::UpstreamUnreachable, "api_error"},
      {GatewayError::CredentialsMissing, "overloaded_error"},
      {GatewayError::Overloaded, "overloaded_error"},
      {GatewayError::UpstreamTimeout, "api_error"},
      {GatewayError::NotFound, "not_found_error"},
  };
  for (const auto& [error, type] : rows) {
    SCOPED_TRACE(std::string(code_of(error)));

    const auto body = nlohmann::json::parse(make_error(Wire::Anthropic, error, "m").body);

    EXPECT_EQ(body["error"]["type"], type);
  }
}

TEST(Errors, EachKindHasItsPinnedStatusAndCode) {
  struct Row {
    GatewayError error;
    int status;
    std::string_view code;
  };
  const Row rows[] = {
      {GatewayError::InvalidClientKey, 401, "invalid_client_key"},
      {GatewayError::RequestTooLarge, 413, "request_too_large"},
      {GatewayError::InvalidRequest, 400, "invalid_request_error"},
      {GatewayError::CredentialsExhausted, 429, "credentials_exhausted"},
      {GatewayError::UpstreamUnreachable, 502, "upstream_unreachable"},
      {GatewayError::UpstreamTimeout, 504, "upstream_timeout"},
      {GatewayError::NotFound, 404, "not_found"},
      {GatewayError::MethodNotAllowed, 405, "method_not_allowed"},
      {GatewayError::CredentialsMissing, 503, "credentials_missing"},
      {GatewayError::HeadersTooLarge, 431, "headers_too_large"},
      {GatewayError::RequestTimeout, 408, "request_timeout"},
      {GatewayError::Overloaded, 503, "overloaded"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.code));
    EXPECT_EQ(status_of(row.error), row.status);
    EXPECT_EQ(code_of(row.error), row.code);
  }
}

TEST(Errors, RetryAfterIsWholeSecondsAtLeastOne) {
  const ErrorResponse r = make_error(Wire::OpenAI, GatewayError::CredentialsExhausted, "all cool",
                                     std::chrono::seconds(0));

  EXPECT_EQ(find_header(r.headers, "Retry-After"), "1");
}

TEST(Errors, NoRetryAfterUnlessGiven) {
  const ErrorResponse r = make_error(Wire::OpenAI, GatewayError::UpstreamTimeout, "slow");

  EXPECT_FALSE(find_header(r.headers, "retry-after").has_value());
  EXPECT_EQ(find_header(r.headers, "content-type"), "application/json");
}

}  // namespace
}  // namespace credpool::gateway
