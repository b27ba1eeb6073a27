#include "core/soft_failure.h"

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "core/classifier.h"
#include "core/error_body.h"
#include "core/text_match.h"

namespace credpool::core {

namespace {

using json = nlohmann::json;

// A soft failure arrives with HTTP 200 (Failure::status_code).
constexpr int kSoftStatus = 200;

struct SseEvent {
  std::string name;  // "event:" field; empty means "message"
  std::string data;  // "data:" lines joined by '\n'
};

// Reads one line at `pos` (ending in \n, \r\n or \r, per the SSE spec). Returns false when the
// line has no terminator yet; at the end of a complete response the rest counts as a line.
bool next_line(std::string_view s, std::size_t& pos, bool complete, std::string_view& line) {
  const std::size_t end = s.find_first_of("\r\n", pos);
  if (end == std::string_view::npos) {
    if (!complete || pos >= s.size()) return false;
    line = s.substr(pos);
    pos = s.size();
    return true;
  }
  line = s.substr(pos, end - pos);
  pos = end + 1;
  if (s[end] == '\r' && pos < s.size() && s[pos] == '\n') ++pos;
  return true;
}

enum class Read { Event, Incomplete, End };

// Reads the next event from `pos`. Comments and unknown fields are skipped.
Read next_event(std::string_view s, std::size_t& pos, bool complete, SseEvent& event) {
  event = {};
  bool has_field = false;
  std::string_view line;
  // Bounded: each line moves `pos` forward.
  while (next_line(s, pos, complete, line)) {
    if (line.empty()) {
      if (has_field) return Read::Event;
      continue;
    }
    if (line.front() == ':') continue;  // a comment, e.g. ": ping" / ": OPENROUTER PROCESSING"
    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") {
      event.name = value;
      has_field = true;
    } else if (field == "data") {
      if (has_field && !event.data.empty()) event.data += '\n';
      event.data += value;
      has_field = true;
    }
  }
  if (complete && has_field) return Read::Event;  // a last event without its blank line
  return complete ? Read::End : Read::Incomplete;
}

std::string type_of(const json& j) {
  if (!j.is_object()) return {};
  auto it = j.find("type");
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string{};
}

bool has_error(const json& j) {
  if (!j.is_object()) return false;
  auto it = j.find("error");
  return it != j.end() &&
         (it->is_object() || (it->is_string() && !it->get_ref<const std::string&>().empty()));
}

// Events that carry no verdict: keep-alives, and the OpenAI Responses preamble, which precedes a
// response.failed (Codex sends created, in_progress, then failed).
bool is_preamble(std::string_view name, std::string_view type) {
  static constexpr std::array<std::string_view, 4> kSkipped{
      "ping", "response.created", "response.in_progress", "response.queued"};
  for (std::string_view s : kSkipped) {
    if (name == s || type == s) return true;
  }
  return false;
}

SoftFailureVerdict failed(std::string_view provider, const json& error_holder, WallTime now) {
  ErrorBody error = read_error_json(error_holder);
  if (error.code.empty() && error.type.empty() && error_holder.is_object()) {
    // A cancelled response may carry no error at all; its status is the best code there is.
    auto it = error_holder.find("status");
    if (it != error_holder.end() && it->is_string()) error.code = it->get<std::string>();
  }
  return {StartVerdict::Failed, classify_error(provider, kSoftStatus, {}, error, now)};
}

// A JSON body whose `status` is failed or cancelled (Responses API), or which is only an error.
SoftFailureVerdict inspect_json(std::string_view provider, const json& j, WallTime now) {
  if (!j.is_object()) return {};
  if (auto it = j.find("response"); it != j.end() && it->is_object()) {
    return inspect_json(provider, *it, now);  // {"type": "response.failed", "response": {...}}
  }
  const auto status = j.find("status");
  if (status != j.end() && status->is_string()) {
    const std::string& s = status->get_ref<const std::string&>();
    if (s == "failed" || s == "cancelled") return failed(provider, j, now);
  }
  const bool has_output = j.contains("choices") || j.contains("output") || j.contains("content") ||
                          j.contains("candidates");
  if (type_of(j) == "error" || (has_error(j) && !has_output)) return failed(provider, j, now);
  return {};
}

SoftFailureVerdict inspect_stream(std::string_view provider, std::string_view head, bool complete,
                                  WallTime now) {
  std::size_t pos = 0;
  SseEvent event;
  // Bounded: each event consumes at least one line of `head`.
  while (true) {
    switch (next_event(head, pos, complete, event)) {
      case Read::Incomplete:
        return {StartVerdict::NeedMore, std::nullopt};
      case Read::End:
        return {};
      case Read::Event:
        break;
    }
    const std::string_view data = text::trim(event.data);
    if (data.empty() && event.name != "error") continue;  // a keep-alive
    if (data == "[DONE]") return {};
    const json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
    const std::string type = type_of(j);
    if (is_preamble(event.name, type)) continue;
    if (event.name == "error" || type == "error") {
      return failed(provider, j.is_discarded() ? json(json::object({{"message", data}})) : j, now);
    }
    if (j.is_discarded()) return {};
    return inspect_json(provider, j, now);
  }
}

}  // namespace

SoftFailureVerdict inspect_response_start(std::string_view provider, bool is_event_stream,
                                          std::string_view head, bool complete, WallTime now) {
  if (is_event_stream) return inspect_stream(provider, head, complete, now);
  const std::string_view body = text::trim(head);
  if (body.empty())
    return complete ? SoftFailureVerdict{} : SoftFailureVerdict{StartVerdict::NeedMore, {}};
  if (body.front() != '{') return {};
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return complete ? SoftFailureVerdict{} : SoftFailureVerdict{StartVerdict::NeedMore, {}};
  }
  return inspect_json(provider, j, now);
}

std::ostream& operator<<(std::ostream& os, StartVerdict verdict) {
  switch (verdict) {
    case StartVerdict::Clean:
      return os << "Clean";
    case StartVerdict::Failed:
      return os << "Failed";
    case StartVerdict::NeedMore:
      return os << "NeedMore";
  }
  return os;
}

}  // namespace credpool::core
