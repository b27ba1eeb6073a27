#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/message.h"

namespace credpool::http {

// The errors the server answers by itself, without calling the handler.
enum class ServerError {
  RequestTooLarge,  // 413: body over max_body_bytes
  HeadersTooLarge,  // 431: request line and fields over max_header_bytes
  RequestTimeout,   // 408: no complete request head within header_timeout
  Overloaded,       // 503: max_connections already open (the server adds `Retry-After: 1`)
};

// Returns the HTTP status of a server error (413, 431, 408, 503).
int status_of(ServerError error);
// Returns the stable lower-case code ("request_too_large", "headers_too_large",
// "request_timeout", "overloaded").
std::string_view to_string(ServerError error);

// The body of one server error and its headers (Content-Type included).
struct ErrorAnswer {
  HeaderList headers;
  std::string body;
};

// Formats a server error for a request. The request has whatever was read of its head (method,
// target and headers may be empty or partial) and no body. Called on io threads; must be
// thread-safe and must not block.
using ErrorFormatter = std::function<ErrorAnswer(ServerError, const IncomingRequest&)>;

// Returns the answer used when no ErrorFormatter is given: JSON in OpenAI's error shape,
// {"error":{"message","type","code"}}, with the code of to_string().
ErrorAnswer default_error_answer(ServerError error);

}  // namespace credpool::http
