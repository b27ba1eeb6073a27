#include "store/open_store.h"

#include <string>

#include "store/file_store.h"

namespace credpool::store {

Result<std::unique_ptr<Store>> open_store(std::string_view url, const std::filesystem::path& home,
                                          const core::Clock* clock) {
  if (url.empty() || url == "file") {
    return std::unique_ptr<Store>(std::make_unique<FileStore>(home, kLockTimeout, clock));
  }
  if (url.starts_with("rediss://")) {
    return Error{ErrorCode::InvalidArgument,
                 "store: rediss:// is not supported (Debian's hiredis 0.14 has no TLS); use "
                 "redis:// on a trusted network or store: file"};
  }
  if (url.starts_with("redis://")) {
    return Error{ErrorCode::InvalidArgument,
                 "store: the Redis store is not available in this version yet; use store: file"};
  }
  return Error{
      ErrorCode::InvalidArgument,
      "store: expected 'file' or a redis://host:port/db URL, got '" + std::string(url) + "'"};
}

}  // namespace credpool::store
