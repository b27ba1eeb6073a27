#include "gateway/journal.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/secret.h"
#include "views/journal_reader.h"

namespace credpool::gateway {
namespace {

// Returns the first `max` code points of `text` (counting UTF-8 lead bytes, so a multi-byte
// character is never cut in half).
std::string clip(std::string_view text, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0u) != 0x80u) {
      if (points == max) return std::string(text.substr(0, i));
      ++points;
    }
  }
  return std::string(text);
}

nlohmann::json text_or_null(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return Error{ErrorCode::Io,
               fmt::format("journal {}: {}: {}", path.string(), what, std::strerror(err))};
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string_view to_string(JournalKind kind) {
  switch (kind) {
    case JournalKind::Mark:
      return "mark";
    case JournalKind::Dead:
      return "dead";
    case JournalKind::Rotate:
      return "rotate";
    case JournalKind::Fallback:
      return "fallback";
    case JournalKind::Refresh:
      return "refresh";
    case JournalKind::Reset:
      return "reset";
    case JournalKind::Recover:
      return "recover";
    case JournalKind::Probe:
      return "probe";
    case JournalKind::Unclassified:
      return "unclassified";
  }
  return "unknown";
}

std::string format_journal_line(const JournalEvent& event) {
  nlohmann::json line = {
      {"ts", core::to_epoch_seconds(event.ts)},
      {"event", to_string(event.event)},
      {"provider", text_or_null(event.provider)},
      {"credential_id", text_or_null(event.credential_id)},
      {"label", text_or_null(event.label)},
      {"status", event.status == 0 ? nlohmann::json(nullptr) : nlohmann::json(event.status)},
      {"reason", text_or_null(event.reason)},
      {"error_code", text_or_null(event.error_code)},
      {"message", text_or_null(clip(event.message, kJournalMessageMax))},
      {"resets_at", event.resets_at ? nlohmann::json(core::to_epoch_seconds(*event.resets_at))
                                    : nlohmann::json(nullptr)},
      {"reset_source", text_or_null(event.reset_source)},
      {"request_id", text_or_null(event.request_id)},
  };
  // No exception on bad UTF-8 from a provider: replace it.
  std::string out = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out += '\n';
  return out;
}

std::string scrub_secret(std::string_view text, std::string_view secret) {
  if (secret.empty()) return std::string(text);
  const std::string mask = core::mask_secret(secret);
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find(secret, from);
    if (at == std::string_view::npos) break;
    out.append(text.substr(from, at - from));
    out += mask;
    from = at + secret.size();
  }
  out.append(text.substr(from));
  return out;
}

JournalWriter::JournalWriter(std::filesystem::path home, std::uintmax_t max_bytes, int keep)
    : home_(std::move(home)), path_(journal_path(home_)), max_bytes_(max_bytes), keep_(keep) {}

Result<void> JournalWriter::rotate() {
  std::error_code ec;
  if (keep_ <= 0) {
    std::filesystem::remove(path_, ec);
    return ec ? io_error(path_, "remove", ec.value()) : ok();
  }
  std::filesystem::remove(views::rotated_journal(path_, keep_), ec);
  for (int n = keep_ - 1; n >= 1; --n) {
    const auto from = views::rotated_journal(path_, n);
    if (!std::filesystem::exists(from, ec)) continue;
    std::filesystem::rename(from, views::rotated_journal(path_, n + 1), ec);
    if (ec) return io_error(from, "rotate", ec.value());
  }
  std::filesystem::rename(path_, views::rotated_journal(path_, 1), ec);
  if (ec) return io_error(path_, "rotate", ec.value());
  return ok();
}

Result<void> JournalWriter::append(const std::vector<JournalEvent>& events) {
  if (events.empty()) return ok();
  std::string lines;
  for (const JournalEvent& event : events) lines += format_journal_line(event);

  std::error_code ec;
  if (!std::filesystem::exists(home_, ec)) {
    std::filesystem::create_directories(home_, ec);
    if (ec) return io_error(home_, "create directory", ec.value());
    ::chmod(home_.c_str(), 0700);
  }
  struct stat info {};
  if (::stat(path_.c_str(), &info) == 0 && info.st_size > 0 &&
      static_cast<std::uintmax_t>(info.st_size) + lines.size() > max_bytes_) {
    if (auto rotated_ok = rotate(); !rotated_ok) return rotated_ok;
  }
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(path_, "open", errno);
  const bool written = write_all(fd, lines);
  const int err = errno;
  ::close(fd);
  if (!written) return io_error(path_, "write", err);
  return ok();
}

}  // namespace credpool::gateway
