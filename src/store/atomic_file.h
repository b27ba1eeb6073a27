#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace credpool::store {

// Creates `dir` (and parents) if missing, with mode 0700 for the directories it creates; an
// existing `dir` is set to 0700 too (DESIGN.md: the home is 0700). Fails with Io.
Result<void> ensure_private_dir(const std::filesystem::path& dir);

// Replaces `path` with `contents` durably: writes `<name>.tmp.<pid>.<hex>` (O_CREAT|O_EXCL, 0600,
// then `mode` when another is asked for, e.g. a config.yaml keeping its own), fsyncs it, renames
// it over `path` and fsyncs the directory. Readers see the old or the new file, never a mix.
// Call it under the store lock for auth.json. Fails with Io; the temp file is removed.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                                   unsigned mode = 0600);

// Removes `<name>.tmp.<pid>.*` files next to `path` whose process no longer exists (kill(pid, 0)
// reports ESRCH), left by writers that crashed. Call it under the store lock. Best effort.
void remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace credpool::store
