#include "core/error_body.h"

#include <algorithm>

#include "core/text_match.h"

namespace credpool::core {

namespace {

using json = nlohmann::json;

// Phrase rules read at most this much of a text or HTML body: error pages put their markers in
// the head, and a bound keeps a huge body from costing a scan per rule.
constexpr std::size_t kHaystackLimit = 16 * 1024;

std::string string_field(const json& o, std::string_view key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// An OAuth-style `"error": "invalid_grant"` is a code; `"error": "Some sentence."` is a message.
bool looks_like_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void append(std::string& haystack, std::string_view piece) {
  if (piece.empty()) return;
  if (!haystack.empty()) haystack += '\n';
  haystack += text::to_lower(piece.substr(0, kHaystackLimit));
}

// OpenRouter: {"error": {"metadata": {"provider_name": "Anthropic", "raw": "...upstream..."}}}.
// The upstream's text is kept apart from the haystack: it speaks of the upstream's key, not ours.
void read_metadata(const json& error, ErrorBody& out) {
  auto it = error.find("metadata");
  if (it == error.end() || !it->is_object()) return;
  const json& meta = *it;
  out.upstream_provider = string_field(meta, "provider_name");
  if (!out.upstream_provider.empty()) out.upstream_failure = true;
  if (auto raw = meta.find("raw"); raw != meta.end() && !raw->is_null()) {
    const std::string text = raw->is_string() ? raw->get<std::string>() : dump(*raw);
    out.upstream_text = text.substr(0, kHaystackLimit);
    out.upstream_failure = true;
  }
}

// Google: details[].violations[].quotaId ("GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
// tells a per-minute limit from a spent quota; details[].reason (google.rpc.ErrorInfo,
// "API_KEY_INVALID") names a credential error that arrives as a 400.
void read_google_details(const json& error, ErrorBody& out) {
  auto it = error.find("details");
  if (it == error.end() || !it->is_array()) return;
  for (const json& d : *it) {
    if (!d.is_object()) continue;
    append(out.haystack, string_field(d, "reason"));
    auto v = d.find("violations");
    if (v == d.end() || !v->is_array()) continue;
    for (const json& violation : *v) append(out.haystack, string_field(violation, "quotaId"));
  }
}

// Returns error.code when it is an integer that could be an HTTP status, else 0.
int numeric_code(const json& error) {
  auto it = error.find("code");
  if (it == error.end() || !it->is_number_integer()) return 0;
  const auto code = it->get<long long>();
  return code >= 100 && code <= 999 ? static_cast<int>(code) : 0;
}

std::string html_title(std::string_view body) {
  const std::size_t open = text::ifind(body, "<title");
  if (open == std::string_view::npos) return {};
  const std::size_t start = body.find('>', open);
  if (start == std::string_view::npos) return {};
  const std::size_t end = text::ifind(body, "</title", start);
  return std::string(
      text::trim(body.substr(start + 1, end == std::string_view::npos ? 200 : end - start - 1)));
}

}  // namespace

ErrorBody read_error_json(const json& parsed) {
  ErrorBody out;
  out.json = parsed;
  // Google sometimes wraps the error in an array: [{"error": {...}}].
  const json& body = (parsed.is_array() && !parsed.empty()) ? parsed.front() : parsed;
  if (!body.is_object()) return out;

  const auto err = body.find("error");
  if (err != body.end() && err->is_object()) {
    const json& e = *err;
    out.type = string_field(e, "type");
    out.code = string_field(e, "code");
    if (out.code.empty()) out.code = string_field(e, "status");  // Google "RESOURCE_EXHAUSTED"
    out.numeric_code = numeric_code(e);
    out.message = string_field(e, "message");
    read_metadata(e, out);
    read_google_details(e, out);
  } else if (err != body.end() && err->is_string()) {
    const std::string s = err->get<std::string>();
    if (looks_like_code(s)) {
      out.code = s;  // OAuth token endpoint
    } else {
      out.message = s;  // xAI
    }
  }
  if (out.code.empty()) out.code = string_field(body, "code");  // xAI, Responses stream error
  if (out.type.empty() && string_field(body, "type") != "error") {
    out.type = string_field(body, "type");
  }
  for (std::string_view key : {"message", "error_description", "detail"}) {
    if (!out.message.empty()) break;
    out.message = string_field(body, key);
  }
  out.haystack.insert(0, text::to_lower(std::string_view(out.message).substr(0, kHaystackLimit)) +
                             (out.haystack.empty() ? "" : "\n"));
  // OpenRouter's wording for "the provider I routed to failed" (reference §3.3).
  if (text::icontains(out.message, "provider returned error")) out.upstream_failure = true;
  return out;
}

ErrorBody read_error_body(std::string_view body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && (parsed.is_object() || parsed.is_array())) {
    return read_error_json(parsed);
  }
  ErrorBody out;
  const std::string_view trimmed = text::trim(body);
  out.is_html = !trimmed.empty() && trimmed.front() == '<' &&
                (text::icontains(trimmed.substr(0, 512), "<html") ||
                 text::icontains(trimmed.substr(0, 512), "<!doctype"));
  out.message = out.is_html ? html_title(trimmed) : std::string(trimmed.substr(0, 4096));
  out.haystack = text::to_lower(trimmed.substr(0, kHaystackLimit));
  return out;
}

std::string shorten_message(std::string_view message, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(message.size(), max_bytes));
  bool pending_space = false;
  for (char c : text::trim(message)) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space) {
      pending_space = true;
      continue;
    }
    if (pending_space) {
      if (out.size() + 1 > max_bytes) break;
      out += ' ';
      pending_space = false;
    }
    if (out.size() + 1 > max_bytes) break;
    out += c;
  }
  // Do not end inside a multi-byte character: drop continuation bytes and their lead byte.
  // A complete last character is left alone: its lead byte announces exactly what follows.
  std::size_t k = out.size();
  while (k > 0 && (static_cast<unsigned char>(out[k - 1]) & 0xC0) == 0x80) --k;
  if (k > 0 && static_cast<unsigned char>(out[k - 1]) >= 0xC0) {
    const auto lead = static_cast<unsigned char>(out[k - 1]);
    const std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (out.size() - (k - 1) < need) out.resize(k - 1);
  }
  return out;
}

}  // namespace credpool::core
