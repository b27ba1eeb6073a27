#include "store/auth_json.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "store/auth_json_rows.h"
#include "store/json_time.h"

namespace credpool::store {

namespace {

using Json = nlohmann::ordered_json;

Error corrupt(const std::string& path, const std::string& what) {
  return Error{ErrorCode::Corrupt, fmt::format("{}: {}", path, what)};
}

// Turns nlohmann's byte offset into the line and column an editor shows (1-based).
Error parse_error(std::string_view text, const std::string& path, const Json::parse_error& e) {
  const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::string what = e.what();
  // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
  if (const auto at = what.find(": ", what.find("column")); at != std::string::npos) {
    what = what.substr(at + 2);
  }
  return corrupt(path, fmt::format("line {}, column {}: {}", line, column, what));
}

bool blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
}

// Reads suppressed_sources[pool]: a list, or the legacy dict whose keys are the sources.
std::vector<std::string> read_suppressed(const Json& value) {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  if (value.is_array()) {
    for (const Json& v : value) {
      if (v.is_string()) add(v.get<std::string>());
    }
  } else if (value.is_object()) {
    for (const auto& [source, ignored] : value.items()) add(source);
  }
  return out;
}

// The one alias a file key can have: Hermes Agent's "openai-api" is credpool's "openai".
constexpr std::string_view kOpenAiApi = "openai-api";

std::string canonical_key(const std::string& key) { return key == kOpenAiApi ? "openai" : key; }

// Returns the ids the other list of the same pool holds, which the "openai" list must not reuse
// when an "openai-api" list sits next to it (the same ids at parse and at render).
std::set<std::string> ids_taken_by_home(const Json& pools, const std::string& key) {
  if (key != "openai") return {};
  const auto home = pools.find(kOpenAiApi);
  if (home == pools.end() || !home->is_array()) return {};
  const std::vector<std::string> ids = assign_row_ids(std::string(kOpenAiApi), *home);
  return {ids.begin(), ids.end()};
}

Result<void> read_pools(const Json& raw, const std::string& path, Snapshot& snapshot) {
  const auto pools_it = raw.find("credential_pool");
  if (pools_it == raw.end() || pools_it->is_null()) return ok();
  if (!pools_it->is_object()) return corrupt(path, "credential_pool is not an object");
  // When the file has an "openai-api" pool, that key is the OpenAI pool's home (DESIGN.md).
  if (pools_it->contains(kOpenAiApi)) snapshot.pools["openai"].home_key = kOpenAiApi;
  for (const auto& [key, rows] : pools_it->items()) {
    if (rows.is_null()) continue;
    if (!rows.is_array())
      return corrupt(path, fmt::format("credential_pool.{} is not a list", key));
    PoolRecord& pool = snapshot.pools[canonical_key(key)];
    const std::string home = pool.home_key.empty() ? canonical_key(key) : pool.home_key;
    const std::vector<std::string> ids =
        assign_row_ids(key, rows, ids_taken_by_home(*pools_it, key));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!rows[i].is_object()) {
        return corrupt(path, fmt::format("credential_pool.{}[{}] is not an object", key, i));
      }
      pool.credentials.push_back(read_row(key, ids[i], rows[i]));
      if (key != home) pool.row_keys[ids[i]] = key;
      const auto fp = rows[i].find("secret_fingerprint");
      if (fp != rows[i].end() && fp->is_string())
        pool.fingerprints[ids[i]] = fp->get<std::string>();
    }
    // Priorities stay as written, gaps and ties included (DESIGN.md): only their order counts.
    std::stable_sort(pool.credentials.begin(), pool.credentials.end(),
                     [](const core::Credential& a, const core::Credential& b) {
                       return a.priority < b.priority;
                     });
  }
  return ok();
}

void read_pool_maps(const Json& raw, Snapshot& snapshot) {
  // Each map's entry under the pool's home key wins over one under its other key.
  auto target = [&](const std::string& key, bool& is_home) -> PoolRecord& {
    PoolRecord& pool = snapshot.pools[canonical_key(key)];
    is_home = (pool.home_key.empty() ? canonical_key(key) : pool.home_key) == key;
    return pool;
  };
  bool home = false;
  if (const auto it = raw.find("credential_pool_strategies"); it != raw.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) continue;
      PoolRecord& pool = target(key, home);
      // An unknown name is kept on disk and means fill_first at selection (reference §1.8).
      if (home || !pool.strategy) pool.strategy = core::parse_strategy(value.get<std::string>());
    }
  }
  if (const auto it = raw.find("credential_pool_cursors"); it != raw.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      PoolRecord& pool = target(key, home);
      if (value.is_string() && (home || !pool.cursor_id)) pool.cursor_id = value.get<std::string>();
    }
  }
  if (const auto it = raw.find("suppressed_sources"); it != raw.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      PoolRecord& pool = target(key, home);
      for (std::string& source : read_suppressed(value)) {
        auto& list = pool.suppressed_sources;
        if (std::find(list.begin(), list.end(), source) == list.end()) list.push_back(source);
      }
    }
  }
}

// Sets `raw[section][pool]` to `value`, or removes it when `value` is null; leaves an equal value
// (and so its exact form) alone. A section that would be created empty is not created.
void sync_entry(Json& raw, const char* section, const std::string& pool, const Json& value) {
  auto it = raw.find(section);
  if (it == raw.end() || !it->is_object()) {
    if (value.is_null()) return;
    raw[section] = Json::object();
    it = raw.find(section);
  }
  if (value.is_null()) {
    it->erase(pool);
  } else if (!it->contains(pool) || (*it)[pool] != value) {
    (*it)[pool] = value;
  }
}

// Renders the rows of `pool` stored under `key` (all of them, unless the pool spans two keys).
Json render_rows(const std::string& key, const std::string& home, const Json* old_rows,
                 const std::set<std::string>& taken, const PoolRecord& pool) {
  std::map<std::string, const Json*> twins;
  if (old_rows != nullptr && old_rows->is_array()) {
    const std::vector<std::string> ids = assign_row_ids(key, *old_rows, taken);
    for (std::size_t i = 0; i < old_rows->size(); ++i) twins.emplace(ids[i], &(*old_rows)[i]);
  }
  Json rows = Json::array();
  for (const core::Credential& c : pool.credentials) {
    const auto row_key = pool.row_keys.find(c.id);
    if ((row_key == pool.row_keys.end() ? home : row_key->second) != key) continue;
    const auto twin = twins.find(c.id);
    Json row = twin != twins.end() && twin->second->is_object() ? *twin->second : Json::object();
    const auto fp = pool.fingerprints.find(c.id);
    write_row(key, c, fp == pool.fingerprints.end() ? std::string{} : fp->second, row);
    rows.push_back(std::move(row));
  }
  return rows;
}

// Writes suppressed_sources[key], leaving an entry that says the same thing in its own form (a
// legacy dict stays until it changes; it is migrated below).
void sync_suppressed(Json& raw, const std::string& key, const Json& suppressed) {
  if (const auto it = raw.find("suppressed_sources"); it != raw.end() && it->is_object()) {
    if (const auto entry = it->find(key); entry != it->end()) {
      std::vector<std::string> wanted;
      for (const Json& s : suppressed) wanted.push_back(s.get<std::string>());
      if (read_suppressed(*entry) == wanted) return;
    }
  }
  sync_entry(raw, "suppressed_sources", key, suppressed.empty() ? Json() : suppressed);
}

}  // namespace

std::string home_pool_key(const Snapshot& snapshot, const std::string& pool) {
  const auto it = snapshot.pools.find(pool);
  return it == snapshot.pools.end() || it->second.home_key.empty() ? pool : it->second.home_key;
}

Result<AuthDocument> parse_auth_json(std::string_view text, const std::string& path) {
  AuthDocument doc;
  if (blank(text)) return doc;
  try {
    doc.raw = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return parse_error(text, path, e);
  }
  if (!doc.raw.is_object()) return corrupt(path, "the top level is not a JSON object");
  if (auto r = read_pools(doc.raw, path, doc.snapshot); !r) return r.error();
  read_pool_maps(doc.raw, doc.snapshot);
  return doc;
}

std::string render_auth_json(Json raw, const Snapshot& snapshot,
                             std::optional<core::WallTime> saved_at) {
  if (!raw.is_object()) raw = Json::object();
  if (!raw.contains("version") || raw["version"] != 1) raw["version"] = 1;
  if (saved_at) raw["updated_at"] = format_iso8601(*saved_at, IsoZone::Offset);
  auto pools_it = raw.find("credential_pool");
  if (pools_it == raw.end() || !pools_it->is_object()) {
    raw["credential_pool"] = Json::object();
    pools_it = raw.find("credential_pool");
  }
  for (const auto& [canonical, pool] : snapshot.pools) {
    const std::string home = pool.home_key.empty() ? canonical : pool.home_key;
    std::map<std::string, std::set<std::string>> keys{{home, {}}};
    for (const auto& [id, key] : pool.row_keys) keys[key];
    // Computed before any list of this pool is rewritten: the ids must be those parse saw.
    for (auto& [key, taken] : keys) taken = ids_taken_by_home(*pools_it, key);
    for (const auto& [key, taken] : keys) {
      const auto old = pools_it->find(key);
      const bool had = old != pools_it->end();
      Json rows = render_rows(key, home, had ? &*old : nullptr, taken, pool);
      if (!had && rows.empty()) continue;  // a pool known only by its strategy or suppressions
      if (!had || *old != rows) (*pools_it)[key] = std::move(rows);
    }
  }
  for (const auto& [canonical, pool] : snapshot.pools) {
    // Strategies are config.yaml's (DESIGN.md): an older auth.json entry is read, never written.
    const std::string key = pool.home_key.empty() ? canonical : pool.home_key;
    sync_entry(raw, "credential_pool_cursors", key,
               pool.cursor_id ? Json(*pool.cursor_id) : Json());
    Json suppressed = Json::array();
    for (const std::string& s : pool.suppressed_sources) suppressed.push_back(s);
    sync_suppressed(raw, key, suppressed);
  }
  // A legacy dict of a pool the snapshot does not know still migrates to the list form.
  if (auto it = raw.find("suppressed_sources"); it != raw.end() && it->is_object()) {
    for (auto& [key, value] : it->items()) {
      if (value.is_object()) {
        Json list = Json::array();
        for (const std::string& s : read_suppressed(value)) list.push_back(s);
        value = std::move(list);
      }
    }
  }
  return raw.dump(2) + "\n";
}

std::string secret_fingerprint(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < 8 && i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

bool is_borrowed_source(std::string_view pool, std::string_view source) {
  if (source == "manual" || source.starts_with("manual:")) return false;
  // Hermes Agent owns these login rows (reference §1.4); stripping them would log Hermes out.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kHermesOwned{{
      {"anthropic", "hermes_pkce"},
      {"minimax-oauth", "oauth"},
      {"nous", "device_code"},
      {"openai-codex", "device_code"},
      {"xai-oauth", "device_code"},
  }};
  return std::none_of(kHermesOwned.begin(), kHermesOwned.end(), [&](const auto& owned) {
    return owned.first == pool && owned.second == source;
  });
}

}  // namespace credpool::store
