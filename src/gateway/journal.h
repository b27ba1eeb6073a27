#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "views/journal_reader.h"

namespace credpool::gateway {

using views::journal_path;
using views::kJournalKeep;

// What happened to a credential, as the journal names it (DESIGN.md "Journal").
enum class JournalKind {
  Mark,
  Dead,
  Rotate,
  Fallback,
  Refresh,
  Reset,
  Recover,
  Probe,
  Unclassified
};

// Returns the journal name of a kind ("mark", "dead", "rotate", ...).
std::string_view to_string(JournalKind kind);

// One journal line: an event on one attempt's own provider and credential. Never holds a secret
// (scrub provider messages with scrub_secret first).
struct JournalEvent {
  core::WallTime ts{};
  JournalKind event = JournalKind::Mark;
  std::string provider;  // of the attempt
  std::string credential_id;
  std::string label;
  int status = 0;  // HTTP status; 0 writes null
  std::string reason;
  std::string error_code;
  std::string message;  // clipped to kJournalMessageMax characters by the formatter
  std::optional<core::WallTime> resets_at;
  std::string reset_source;  // "provider" | "default" | "" (null)
  std::string request_id;
};

constexpr std::size_t kJournalMessageMax = 300;
constexpr std::uintmax_t kJournalMaxBytes = 10u << 20;  // rotate at 10 MiB

// Formats one event as a single JSON line ending in '\n': every field present, empty strings
// and a zero status as null, times as epoch seconds, the message clipped to 300 characters
// (whole UTF-8 sequences; invalid bytes replaced). Pure.
std::string format_journal_line(const JournalEvent& event);

// Returns `text` with every occurrence of `secret` replaced by its mask (sk-...abcd). An empty
// secret leaves the text as it is.
std::string scrub_secret(std::string_view text, std::string_view secret);

// Appends events to `<home>/events.jsonl` (created 0600, the home 0700 when missing), rotating
// first when the file would pass `max_bytes`: .2 -> .3, .1 -> .2, events.jsonl -> .1, keeping
// `keep` old files. Blocking file I/O: call it from the store thread only, never an io thread.
// Not thread-safe (one writer thread); several processes append whole lines with O_APPEND.
class JournalWriter {
 public:
  explicit JournalWriter(std::filesystem::path home, std::uintmax_t max_bytes = kJournalMaxBytes,
                         int keep = kJournalKeep);

  // Writes the events' lines in order. Fails with Io (naming the file) when the home or file
  // cannot be created or written; a failed rotation is retried on the next append.
  Result<void> append(const std::vector<JournalEvent>& events);

  const std::filesystem::path& path() const { return path_; }

 private:
  Result<void> rotate();

  std::filesystem::path home_;
  std::filesystem::path path_;
  std::uintmax_t max_bytes_;
  int keep_;
};

}  // namespace credpool::gateway
