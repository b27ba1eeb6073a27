#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace credpool::views {

// Old journal files kept beside events.jsonl when it rotates: events.jsonl.1 .. .3.
constexpr int kJournalKeep = 3;

// Returns the journal file of a home: `<home>/events.jsonl`.
std::filesystem::path journal_path(const std::filesystem::path& home);

// Returns the path of the `n`th kept rotation of `path` (`events.jsonl.<n>`).
std::filesystem::path rotated_journal(const std::filesystem::path& path, int n);

// Reads the journal of `home` (the kept rotations first, oldest to newest, then events.jsonl)
// and returns the last `max` events of `provider` whose credential_id is `credential_id` (an
// empty provider or credential_id matches every one), oldest first. Lines that are not JSON
// objects are skipped; missing files read as empty. Blocking file I/O (for the CLI's explain).
std::vector<nlohmann::json> read_journal(const std::filesystem::path& home,
                                         std::string_view provider, std::string_view credential_id,
                                         std::size_t max);

}  // namespace credpool::views
