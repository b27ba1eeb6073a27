#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/failure.h"

// ASCII-only, allocation-light matching used by the classifier and the reset-hint parser.
// Provider codes, header names and the phrases we look for are ASCII; other bytes pass through.
namespace credpool::core::text {

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Returns `s` with ASCII letters lower-cased.
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Compares two strings ignoring ASCII case.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Returns the first position of `needle` in `haystack` ignoring ASCII case, or npos.
inline std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from = 0) {
  if (needle.empty()) return from <= haystack.size() ? from : std::string_view::npos;
  if (haystack.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

// Returns true when `needle` occurs in `haystack`, ignoring ASCII case.
inline bool icontains(std::string_view haystack, std::string_view needle) {
  return ifind(haystack, needle) != std::string_view::npos;
}

// Returns `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Returns the trimmed value of the first header named `name` (any case), or nullopt. The view
// points into `headers`.
inline std::optional<std::string_view> find_header(const HeaderList& headers,
                                                   std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return trim(value);
  }
  return std::nullopt;
}

}  // namespace credpool::core::text
