#include "http/server_error.h"

namespace credpool::http {

int status_of(ServerError error) {
  switch (error) {
    case ServerError::RequestTooLarge:
      return 413;
    case ServerError::HeadersTooLarge:
      return 431;
    case ServerError::RequestTimeout:
      return 408;
    case ServerError::Overloaded:
      return 503;
  }
  return 500;
}

std::string_view to_string(ServerError error) {
  switch (error) {
    case ServerError::RequestTooLarge:
      return "request_too_large";
    case ServerError::HeadersTooLarge:
      return "headers_too_large";
    case ServerError::RequestTimeout:
      return "request_timeout";
    case ServerError::Overloaded:
      return "overloaded";
  }
  return "unknown";
}

ErrorAnswer default_error_answer(ServerError error) {
  std::string body = R"({"error":{"message":")";
  body += to_string(error);
  body += R"(","type":")";
  body += status_of(error) >= 500 ? "api_error" : "invalid_request_error";
  body += R"(","code":")";
  body += to_string(error);
  body += R"("}})";
  return {{{"Content-Type", "application/json"}}, std::move(body)};
}

}  // namespace credpool::http
