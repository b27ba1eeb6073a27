#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace credpool::store {

// Tightens a home that other tools (or a copy) left readable by others: the home directory to
// 0700 and auth.json to 0600 (DESIGN.md "Interfaces": secrets live there). Returns one message
// per repair, naming the path and both modes, for the caller to report on stderr; a missing file
// or directory needs no repair. A chmod that fails is reported too, never fatal. Blocking.
std::vector<std::string> repair_permissions(const std::filesystem::path& home);

}  // namespace credpool::store
