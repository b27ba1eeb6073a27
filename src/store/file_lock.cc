#include "store/file_lock.h"

#include <cerrno>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

namespace credpool::store {

namespace {
// Hermes Agent polls every 50 ms (reference §1.5). We poll faster: a process that writes
// back-to-back re-takes the lock within microseconds of releasing it, so a 50 ms poller almost
// never lands in the gap and can starve past the deadline (seen with 8 concurrent writers).
constexpr std::chrono::milliseconds kPollInterval{2};
}  // namespace

Result<FileLock> FileLock::acquire(const std::filesystem::path& path,
                                   std::chrono::milliseconds timeout) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{ErrorCode::Io,
                 fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno))};
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return Error{ErrorCode::Io,
                   fmt::format("cannot lock {}: {}", path.string(), std::strerror(err))};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return Error{ErrorCode::Timeout,
                   fmt::format("timed out after {} ms waiting for the store lock {}",
                               timeout.count(), path.string())};
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  // Closing the descriptor releases the flock.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace credpool::store
