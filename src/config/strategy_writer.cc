#include "config/strategy_writer.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace credpool::config {

namespace {

constexpr std::string_view kSection = "credential_pool_strategies";
constexpr std::string_view kChildIndent = "  ";

// One line of the file: its text without the line ending, and the ending itself ("\n", "\r\n"
// or "" for a last line without one), so the file can be put back together byte for byte.
struct Line {
  std::string text;
  std::string ending;
};

std::vector<Line> split_lines(std::string_view yaml) {
  std::vector<Line> lines;
  while (!yaml.empty()) {
    const std::size_t nl = yaml.find('\n');
    std::string_view text = nl == std::string_view::npos ? yaml : yaml.substr(0, nl);
    std::string ending = nl == std::string_view::npos ? "" : "\n";
    if (!text.empty() && text.back() == '\r' && !ending.empty()) {
      text.remove_suffix(1);
      ending = "\r\n";
    }
    lines.push_back({std::string(text), ending});
    yaml.remove_prefix(nl == std::string_view::npos ? yaml.size() : nl + 1);
  }
  return lines;
}

std::string join_lines(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& l : lines) out += l.text + l.ending;
  return out;
}

std::size_t indent_of(std::string_view text) {
  const std::size_t first = text.find_first_not_of(' ');
  return first == std::string_view::npos ? text.size() : first;
}

// True for a line with nothing but spaces or a comment.
bool is_blank_or_comment(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  return first == std::string_view::npos || text[first] == '#';
}

// Returns the first position at or after `from` that is outside quotes and where `stop`
// (called with the text and the position) says yes; npos when there is none.
template <class Stop>
std::size_t find_unquoted(std::string_view text, std::size_t from, Stop stop) {
  char quote = 0;
  for (std::size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (stop(text, i)) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Returns where a trailing comment starts (a '#' after a space, outside quotes), else the end.
std::size_t comment_start(std::string_view text, std::size_t from) {
  const std::size_t at = find_unquoted(text, from, [](std::string_view t, std::size_t i) {
    return t[i] == '#' && (i == 0 || is_space(t[i - 1]));
  });
  return at == std::string_view::npos ? text.size() : at;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// A mapping key as written: a plain word stays plain, anything else is double-quoted.
std::string key_text(std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
  return plain ? std::string(key) : fmt::format("\"{}\"", key);
}

// Finds the ':' that ends a mapping key at `from` (outside quotes, followed by a space or the
// end); npos when the line holds no key.
std::size_t key_colon(std::string_view text, std::size_t from) {
  return find_unquoted(text, from, [](std::string_view t, std::size_t i) {
    return t[i] == ':' && (i + 1 == t.size() || is_space(t[i + 1]));
  });
}

Error cannot_edit(std::size_t line, std::string_view why) {
  return Error{ErrorCode::InvalidArgument,
               fmt::format("config.yaml line {}: cannot set {} here: {}; edit the file by hand",
                           line + 1, kSection, why)};
}

// Edits `{a: x, b: y}` held in text[open, close]: replaces the value of `pool` or appends it.
Result<std::string> edit_flow(const std::string& text, std::size_t open, std::size_t close,
                              std::string_view pool, std::string_view strategy, std::size_t line) {
  std::size_t start = open + 1;
  while (start <= close) {
    std::size_t end = start;
    char quote = 0;
    while (end < close && (quote != 0 || text[end] != ',')) {
      if (quote != 0 && text[end] == quote) {
        quote = 0;
      } else if (quote == 0 && (text[end] == '"' || text[end] == '\'')) {
        quote = text[end];
      }
      ++end;
    }
    const std::string_view entry = std::string_view(text).substr(start, end - start);
    const std::size_t colon = key_colon(entry, 0);
    if (colon != std::string_view::npos && unquote(entry.substr(0, colon)) == pool) {
      const std::string_view value = entry.substr(colon + 1);
      const std::size_t lead = value.find_first_not_of(" \t");
      if (lead == std::string_view::npos) return cannot_edit(line, "an entry has no value");
      const std::size_t value_at = start + colon + 1 + lead;
      const std::size_t value_len = trim(value).size();
      return text.substr(0, value_at) + std::string(strategy) + text.substr(value_at + value_len);
    }
    if (end >= close) break;
    start = end + 1;
  }
  const bool empty = trim(std::string_view(text).substr(open + 1, close - open - 1)).empty();
  const std::string entry = fmt::format("{}{}: {}", empty ? "" : ", ", key_text(pool), strategy);
  // Insert right after the last entry's text, before any spaces that precede the '}'.
  std::size_t at = close;
  while (at > open + 1 && (text[at - 1] == ' ' || text[at - 1] == '\t')) --at;
  return text.substr(0, at) + entry + text.substr(at);
}

}  // namespace

Result<std::string> set_pool_strategy(std::string_view yaml, std::string_view pool,
                                      std::string_view strategy) {
  std::vector<Line> lines = split_lines(yaml);
  std::optional<std::size_t> header;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& t = lines[i].text;
    if (indent_of(t) != 0 || is_blank_or_comment(t)) continue;
    const std::size_t colon = key_colon(t, 0);
    if (colon != std::string::npos && unquote(std::string_view(t).substr(0, colon)) == kSection) {
      header = i;
      break;
    }
  }
  const std::string child = fmt::format("{}: {}", key_text(pool), strategy);
  if (!header) {
    // No section yet: append one, after making sure the last line is ended.
    const std::string ending =
        lines.empty() || lines.front().ending.empty() ? std::string("\n") : lines.front().ending;
    if (!lines.empty() && lines.back().ending.empty()) lines.back().ending = ending;
    lines.push_back({std::string(kSection) + ":", ending});
    lines.push_back({std::string(kChildIndent) + child, ending});
    return join_lines(lines);
  }

  Line& head = lines[*header];
  const std::size_t colon = key_colon(head.text, 0);
  const std::size_t comment = comment_start(head.text, colon + 1);
  const std::string_view value =
      trim(std::string_view(head.text).substr(colon + 1, comment - colon - 1));
  if (value.starts_with('{')) {
    const std::size_t open = head.text.find('{', colon + 1);
    const std::size_t close = head.text.rfind('}', comment);
    if (close == std::string::npos || close < open || !value.ends_with('}')) {
      return cannot_edit(*header, "a flow mapping spread over several lines");
    }
    Result<std::string> edited = edit_flow(head.text, open, close, pool, strategy, *header);
    if (!edited) return edited.error();
    head.text = *edited;
    return join_lines(lines);
  }
  if (value == "null" || value == "~") {
    // An explicitly empty section becomes a block mapping; its comment stays.
    const std::size_t at = head.text.find(value, colon + 1);
    head.text.erase(at, value.size());
    while (head.text.size() > colon + 1 && (head.text.back() == ' ' || head.text.back() == '\t')) {
      head.text.pop_back();
    }
  } else if (!value.empty()) {
    return cannot_edit(*header, "its value is not a mapping of pool: strategy lines");
  }

  // Block form: the children are the indented lines up to the next top-level key.
  std::size_t last_child = *header;
  std::string indent(kChildIndent);
  bool indent_known = false;
  for (std::size_t i = *header + 1; i < lines.size(); ++i) {
    const std::string& t = lines[i].text;
    if (is_blank_or_comment(t)) continue;
    const std::size_t in = indent_of(t);
    if (in == 0) break;
    if (!indent_known) {
      indent = t.substr(0, in);
      indent_known = true;
    }
    last_child = i;
    if (in != indent.size()) continue;  // a deeper line belongs to the entry above
    const std::size_t c = key_colon(t, in);
    if (c == std::string::npos) return cannot_edit(i, "a line is not `pool: strategy`");
    if (unquote(std::string_view(t).substr(in, c - in)) != pool) continue;
    const std::size_t end = comment_start(t, c + 1);
    const std::string_view old = std::string_view(t).substr(c + 1, end - c - 1);
    const std::size_t lead = old.find_first_not_of(" \t");
    const std::string_view old_value = trim(old);
    if (old_value.starts_with('&') || old_value.starts_with('*')) {
      return cannot_edit(i, "the value is an anchor or alias");
    }
    if (lead == std::string_view::npos) {
      // `pool:` with nothing after it: write the value right after the colon.
      lines[i].text = t.substr(0, c + 1) + " " + std::string(strategy) +
                      (end < t.size() ? " " + t.substr(end) : std::string());
    } else {
      const std::size_t at = c + 1 + lead;
      lines[i].text = t.substr(0, at) + std::string(strategy) + t.substr(at + old_value.size());
    }
    return join_lines(lines);
  }
  const std::string ending = head.ending.empty() ? std::string("\n") : head.ending;
  if (lines[last_child].ending.empty()) lines[last_child].ending = ending;
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(last_child) + 1,
               Line{indent + child, ending});
  return join_lines(lines);
}

}  // namespace credpool::config
