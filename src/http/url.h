#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace credpool::http {

// Holds the parts of an absolute http(s) URL the client needs.
struct Url {
  bool tls = false;          // https
  std::string host;          // without brackets for IPv6 literals
  std::uint16_t port = 0;    // explicit or the scheme's default
  std::string target = "/";  // path and query, never empty
  bool operator==(const Url&) const = default;
};

// Parses "http://host[:port][/path][?query]" or https. Returns nullopt for anything else
// (other schemes, user info, empty host, bad port). Pure; thread-safe.
std::optional<Url> parse_url(std::string_view url);

// Returns "host:port" as it should appear in a Host header (default ports omitted).
std::string host_header(const Url& url);

}  // namespace credpool::http
