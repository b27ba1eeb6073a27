#include "http/url.h"

#include <charconv>

namespace credpool::http {
namespace {

constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::optional<Url> parse_url(std::string_view url) {
  Url out;
  if (starts_with_ignoring_case(url, "https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (starts_with_ignoring_case(url, "http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  const std::size_t authority_end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, authority_end);
  std::string_view rest = authority_end == std::string_view::npos ? "" : url.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

  std::string_view port_text;
  if (authority.front() == '[') {  // IPv6 literal (RFC 3986 §3.2.2)
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
  }
  if (out.host.empty()) return std::nullopt;
  if (!port_text.empty()) {
    auto port = parse_port(port_text);
    if (!port) return std::nullopt;
    out.port = *port;
  } else {
    out.port = out.tls ? kHttpsPort : kHttpPort;
  }

  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);  // fragments never go on the wire
  }
  if (rest.empty()) {
    out.target = "/";
  } else if (rest.front() == '?') {
    out.target = "/" + std::string(rest);
  } else {
    out.target = std::string(rest);
  }
  return out;
}

std::string host_header(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? kHttpsPort : kHttpPort)) host += ":" + std::to_string(url.port);
  return host;
}

}  // namespace credpool::http
