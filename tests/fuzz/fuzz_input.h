#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/failure.h"

// Splits a fuzz input written like an HTTP response, so seeds are readable text:
//   <first line>\n<Name: value>\n...\n\n<body>
// The first line carries target-specific parameters (a status and provider, flags).
namespace credpool::fuzzing {

struct FuzzInput {
  std::string_view first_line;
  core::HeaderList headers;
  std::string_view body;
};

inline FuzzInput split_input(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  FuzzInput out;
  std::size_t nl = rest.find('\n');
  out.first_line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  // Bounded: each header line consumes at least its newline.
  while (!rest.empty()) {
    nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.empty() || line == "\r") break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(line.substr(colon + 1)));
  }
  out.body = rest;
  return out;
}

}  // namespace credpool::fuzzing
