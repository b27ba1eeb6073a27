#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "store/store.h"

namespace credpool::store {

// An auth.json document: the typed Snapshot plus the raw JSON it came from, kept so a rewrite
// preserves unknown row fields, unknown top-level keys (providers, active_provider, ...) and the
// exact form of unchanged values (ISO times stay ISO, 1788000000.5 stays a float).
struct AuthDocument {
  nlohmann::ordered_json raw = nlohmann::ordered_json::object();
  Snapshot snapshot;
};

// Parses auth.json text (reference §1.3 plus DESIGN.md's extra fields). Empty text is an empty
// store. Old rows with only last_status/last_status_at load with the default reset time for
// their status. Secrets of borrowed rows are not loaded (they are hydrated from their source).
// Fails with Corrupt, message "<path>: line L, column C: <what>" (or "<path>: <what>" for a
// well-formed document of the wrong shape). Never throws.
Result<AuthDocument> parse_auth_json(std::string_view text, const std::string& path);

// Writes `snapshot` into `raw` and returns the text to save (2-space indent, trailing newline).
// Rows are matched to their raw twin by id, so fields credpool does not know are kept; pools
// absent from the snapshot are left as they are. Borrowed rows get no secret-like field, only
// `secret_fingerprint`. `saved_at`, when given, becomes `updated_at` (ISO-8601 UTC, as Hermes
// writes it on every save); without it `updated_at` is left as it was.
std::string render_auth_json(nlohmann::ordered_json raw, const Snapshot& snapshot,
                             std::optional<core::WallTime> saved_at = std::nullopt);

// Returns "sha256:" + the first 16 hex digits of SHA-256(secret) (Hermes' secret_fingerprint).
std::string secret_fingerprint(std::string_view secret);

// Returns true when rows of this source are stored without their secret: everything except
// `manual`, `manual:*` and Hermes' own login sources (reference §1.4), so a shared home never
// loses Hermes' OAuth tokens. Unknown sources are borrowed (fail closed).
bool is_borrowed_source(std::string_view pool, std::string_view source);

}  // namespace credpool::store
