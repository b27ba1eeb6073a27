#include "store/file_store.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "store/atomic_file.h"
#include "store/auth_json.h"
#include "store/file_lock.h"
#include "store/mutations.h"

namespace credpool::store {

namespace {

namespace fs = std::filesystem;

// Reads the whole file; nullopt (not an error) when it does not exist.
Result<std::optional<std::string>> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>{};
    std::error_code ec;
    if (!fs::exists(path, ec) && !ec) return std::optional<std::string>{};
    return Error{ErrorCode::Io,
                 fmt::format("cannot read {}: {}", path.string(), std::strerror(errno))};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{ErrorCode::Io, fmt::format("cannot read {}", path.string())};
  return std::optional<std::string>{text.str()};
}

Result<AuthDocument> read_document(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return text.error();
  if (!text->has_value()) return AuthDocument{};
  return parse_auth_json(**text, path.string());
}

}  // namespace

core::WallTime FileStore::now() const {
  if (clock_ != nullptr) return clock_->wall_now();
  // Only when no clock was passed in (tests of other layers, tools): the save time is metadata.
  return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

FileStore::FileStore(fs::path home, std::chrono::milliseconds lock_timeout,
                     const core::Clock* clock)
    : home_(std::move(home)), lock_timeout_(lock_timeout), clock_(clock) {}

Result<Snapshot> FileStore::load() {
  auto doc = read_document(auth_path());
  if (!doc) return doc.error();
  return std::move(doc->snapshot);
}

Result<Snapshot> FileStore::apply(std::span<const Mutation> mutations) {
  auto rendered = write_locked(mutations);
  if (!rendered) return rendered.error();
  // Return exactly what load() now sees (borrowed secrets dropped, fingerprints set); parsed
  // after the lock is released to keep the critical section short.
  auto written = parse_auth_json(*rendered, auth_path().string());
  if (!written) return written.error();
  return std::move(written->snapshot);
}

Result<std::string> FileStore::write_locked(std::span<const Mutation> mutations) {
  if (auto dir = ensure_private_dir(home_); !dir) return dir.error();
  auto lock = FileLock::acquire(lock_path(), lock_timeout_);
  if (!lock) return lock.error();
  remove_stale_temp_files(auth_path());

  // Re-read under the lock: our mutations land on whatever other processes wrote meanwhile.
  auto text = read_text(auth_path());
  if (!text) return text.error();
  auto doc = text->has_value() ? parse_auth_json(**text, auth_path().string())
                               : Result<AuthDocument>(AuthDocument{});
  if (!doc) return doc.error();  // a file we cannot parse is never overwritten
  apply_mutations(doc->snapshot, mutations);
  std::string rendered = render_auth_json(doc->raw, doc->snapshot);

  if (!text->has_value() || **text != rendered) {
    // A save stamps updated_at (reference §1.3); an unchanged file is not saved at all.
    rendered = render_auth_json(std::move(doc->raw), doc->snapshot, now());
    if (auto written = write_file_atomically(auth_path(), rendered); !written) {
      return written.error();
    }
  }
  return rendered;
}

}  // namespace credpool::store
