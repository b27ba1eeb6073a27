#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace credpool::store {

// Opens the store named by config.yaml's `store` value: "file" gives a FileStore on `home`.
// Fails (InvalidArgument) for a Redis URL: the Redis store is not part of this build yet, and a
// silent fall-back to the file would split a fleet's state without anyone noticing. `rediss://`
// is refused with its own reason (Debian's hiredis 0.14 has no TLS). `clock` stamps updated_at on
// each save (it must outlive the store; null: the system clock).
Result<std::unique_ptr<Store>> open_store(std::string_view url, const std::filesystem::path& home,
                                          const core::Clock* clock = nullptr);

}  // namespace credpool::store
