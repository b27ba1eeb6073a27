#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/credential.h"

namespace credpool::store {

// Returns the id of each raw row of pool `key`: its "id", or, for a row without one (or a second
// row with the same id), an id derived from the pool key and position, so every load of the same
// file agrees and the next write persists it. Ids in `taken` (another list of the same pool) count
// as used.
std::vector<std::string> assign_row_ids(const std::string& key, const nlohmann::ordered_json& rows,
                                        const std::set<std::string>& taken = {});

// Reads one auth.json row (reference §1.1 plus DESIGN.md's extra fields). Lenient: a field of the
// wrong type reads as absent. Secrets of borrowed sources are not read.
core::Credential read_row(const std::string& pool, const std::string& id,
                          const nlohmann::ordered_json& row);

// Writes `credential` into `row` (its raw twin, or an empty object), changing only what differs
// so unknown fields and the form of unchanged values survive. Borrowed rows lose every
// secret-like field and get `secret_fingerprint` (from the secret when hydrated, else
// `fingerprint`, else the one already there).
void write_row(const std::string& pool, const core::Credential& credential,
               const std::string& fingerprint, nlohmann::ordered_json& row);

}  // namespace credpool::store
