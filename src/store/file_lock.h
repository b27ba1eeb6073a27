#pragma once

#include <chrono>
#include <filesystem>

#include "core/result.h"

namespace credpool::store {

// Holds an exclusive flock on a lock file (auth.lock, the name Hermes Agent uses, so both
// programs serialise their writers). Released by the destructor. Move-only.
class FileLock {
 public:
  // Creates the file (0600) if needed and takes the lock, polling every 2 ms until `timeout`
  // (Hermes: 15 s). Fails with Timeout naming the path, or Io. Blocks the calling thread.
  static Result<FileLock> acquire(const std::filesystem::path& path,
                                  std::chrono::milliseconds timeout);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace credpool::store
