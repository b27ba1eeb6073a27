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
  EXPECT_EQ(body["error"]["type"], "request_too_large");
  EXPECT_EQ(body["error"]["message"], "too big");
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
