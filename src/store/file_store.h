#pragma once

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace credpool::store {

// How long a writer waits for auth.lock by default (Hermes: 15 s, polled every 50 ms).
constexpr std::chrono::seconds kLockTimeout{15};

// Persists pools in `<home>/auth.json` (Hermes Agent's layout, reference §1.3), serialising
// writers across processes with an flock on `<home>/auth.lock`.
// apply() locks, re-reads the file, applies the mutations to that fresh state (so rows and counts
// written by other processes are kept), writes a temp file, fsyncs, renames and fsyncs the
// directory. A file that does not parse is reported (Corrupt, with path, line and column) and
// never overwritten. Unknown fields and top-level keys survive a rewrite.
// Thread-compatible: one thread at a time per instance (the gateway's store thread or the CLI).
class FileStore final : public Store {
 public:
  // Uses `home` ($CREDPOOL_HOME) as the directory; it is created 0700 on the first write.
  // `lock_timeout` bounds the wait for auth.lock (Hermes: 15 s, polled every 50 ms). `clock`
  // stamps `updated_at` on each save; it must outlive the store. Null: the system clock.
  explicit FileStore(std::filesystem::path home,
                     std::chrono::milliseconds lock_timeout = kLockTimeout,
                     const core::Clock* clock = nullptr);

  // Reads auth.json without taking the lock (the rename makes every read see a whole file).
  // A missing file is an empty Snapshot. Fails with Corrupt or Io.
  Result<Snapshot> load() override;
  // Locks, re-reads, applies, writes durably; returns the state written. Fails with Corrupt
  // (file left untouched), Timeout (lock not acquired; the message names the lock path) or Io.
  Result<Snapshot> apply(std::span<const Mutation> mutations) override;

  const std::filesystem::path& home() const { return home_; }
  std::filesystem::path auth_path() const { return home_ / "auth.json"; }
  std::filesystem::path lock_path() const { return home_ / "auth.lock"; }

 private:
  core::WallTime now() const;
  // Locks, re-reads, applies, writes; returns the text written.
  Result<std::string> write_locked(std::span<const Mutation> mutations);

  std::filesystem::path home_;
  std::chrono::milliseconds lock_timeout_;
  const core::Clock* clock_;
};

}  // namespace credpool::store
