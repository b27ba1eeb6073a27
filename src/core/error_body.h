#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace credpool::core {

// What a provider said in an error body, reduced to the fields the classifier reads. Shapes:
// OpenAI {"error": {"message", "type", "code"}}, Anthropic {"type": "error", "error": {"type",
// "message"}}, OpenRouter {"error": {"code": 429, "message", "metadata": {"provider_name",
// "raw"}}}, Google {"error": {"code", "status", "message", "details": [...]}} (also wrapped in
// an array), xAI {"code", "error": "text"}, OAuth {"error": "invalid_grant",
// "error_description"}, OpenAI Responses stream {"type": "error", "code", "message"}, plain text
// and HTML.
struct ErrorBody {
  std::string code;     // error.code when a string, else error.status (Google), else OAuth error
  std::string type;     // error.type ("insufficient_quota", "overloaded_error")
  std::string message;  // the provider's text, untrimmed (HTML: the <title>)
  // error.code when it is a number (OpenRouter, Google: the HTTP status the error stands for);
  // 0 when there is none.
  int numeric_code = 0;
  // Lower-case text the phrase rules search: the provider's own message, Google quota ids and
  // ErrorInfo reasons ("api_key_invalid") (JSON), or the start of the body (text, HTML). Never
  // an aggregator's upstream text: that is not about the key that made the request.
  std::string haystack;
  bool is_html = false;
  // An aggregator's report that the provider behind it failed (OpenRouter): error.metadata
  // carries `raw` (the upstream's own error) or `provider_name`, or the message says "Provider
  // returned error".
  bool upstream_failure = false;
  std::string upstream_provider;  // error.metadata.provider_name, as sent
  std::string upstream_text;      // error.metadata.raw (a string, or its JSON), as sent, bounded
  nlohmann::json json;            // the parsed body; null when it is not JSON
};

// Reads an error body of any shape above. Never throws: bytes that are not JSON are text.
ErrorBody read_error_body(std::string_view body);

// Reads an already parsed body, or one error object (`{"code", "message"}`), of the shapes above.
ErrorBody read_error_json(const nlohmann::json& body);

// Returns `message` with whitespace runs collapsed and cut to at most `max_bytes` bytes at a UTF-8
// character boundary (Failure::message holds 300).
std::string shorten_message(std::string_view message, std::size_t max_bytes = 300);

}  // namespace credpool::core
