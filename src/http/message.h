#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace credpool::http {

// Header fields in wire order, names as received; same shape as core::HeaderList.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Returns the value of the first field named `name` (ASCII case-insensitive), or nullopt.
// The view points into `headers` and lives as long as it does.
std::optional<std::string_view> find_header(const HeaderList& headers, std::string_view name);

// Holds one request read by the Server, body complete (within ServerOptions::max_body_bytes).
struct IncomingRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // origin form, with query: "/v1/models?x=1"
  HeaderList headers;
  std::string body;
  std::string remote_address;  // peer IP, no port
  bool keep_alive = true;      // what the client asked for
  std::uint64_t connection_id = 0;
};

}  // namespace credpool::http
