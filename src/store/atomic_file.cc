#include "store/atomic_file.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace credpool::store {

namespace {

namespace fs = std::filesystem;

Error io_error(const std::string& what, const fs::path& path, int err) {
  return Error{ErrorCode::Io, fmt::format("{} {}: {}", what, path.string(), std::strerror(err))};
}

std::string temp_prefix(const fs::path& path) { return path.filename().string() + ".tmp."; }

Result<void> fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync directory", dir, err);
  return ok();
}

Result<void> write_all(int fd, std::string_view contents, const fs::path& path) {
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return io_error("cannot fsync", path, errno);
  return ok();
}

}  // namespace

Result<void> ensure_private_dir(const fs::path& dir) {
  const fs::path absolute = dir.is_absolute() ? dir : fs::absolute(dir);
  fs::path partial;
  for (const fs::path& part : absolute) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return io_error("cannot create directory", partial, errno);
    }
  }
  // The home holds secrets (DESIGN.md: 0700). A top-level directory such as /tmp is left alone,
  // as Hermes does (reference §1.5).
  if (std::distance(absolute.begin(), absolute.end()) > 2 && ::chmod(absolute.c_str(), 0700) != 0) {
    return io_error("cannot chmod", absolute, errno);
  }
  return ok();
}

Result<void> write_file_atomically(const fs::path& path, std::string_view contents, unsigned mode) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::random_device entropy;
  const fs::path temp = dir / fmt::format("{}{}.{:08x}", temp_prefix(path), ::getpid(), entropy());
  // O_EXCL with 0600: the temp file is private from its first byte (no umask window).
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", temp, errno);
  Result<void> written = write_all(fd, contents, temp);
  if (written && mode != 0600 && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    written = io_error("cannot chmod", temp, errno);
  }
  if (::close(fd) != 0 && written) written = io_error("cannot close", temp, errno);
  if (written && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = io_error("cannot rename onto", path, errno);
  }
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  return fsync_directory(dir);
}

void remove_stale_temp_files(const fs::path& path) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string prefix = temp_prefix(path);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    long pid = 0;
    const auto [next, err] = std::from_chars(first, last, pid);
    if (err != std::errc{} || next == last || *next != '.' || pid <= 0) continue;
    if (pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

}  // namespace credpool::store
