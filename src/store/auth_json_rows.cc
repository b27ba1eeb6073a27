#include "store/auth_json_rows.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "core/classifier_rules.h"
#include "core/cooldown_policy.h"
#include "store/auth_json.h"
#include "store/json_time.h"

namespace credpool::store {

namespace {

using Json = nlohmann::ordered_json;
using core::WallTime;

std::string get_string(const Json& row, const char* key) {
  const auto it = row.find(key);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::optional<long long> get_integer(const Json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_number_float()) {
    // A float beyond long long's range has no integer value (the cast would be UB).
    const double value = it->get<double>();
    if (!(value > -9.2e18 && value < 9.2e18)) return std::nullopt;
    return static_cast<long long>(value);
  }
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Clamps to int, so a huge stored count reads as the largest int, not as a wrapped negative one.
int clamp_int(long long value) {
  return static_cast<int>(std::clamp<long long>(value, std::numeric_limits<int>::min(),
                                                std::numeric_limits<int>::max()));
}

std::optional<WallTime> get_time(const Json& row, const char* key) {
  const auto it = row.find(key);
  return it == row.end() ? std::nullopt : read_json_time(*it);
}

// The default cooldown of a stored failure without a reset time: the core's one table
// (DESIGN.md "Recovery policy"), never a copy of it here.
std::chrono::seconds default_cooldown(int status, core::FailureReason reason) {
  core::Failure failure;
  failure.reason = reason;
  failure.status_code = status;
  return core::CooldownPolicy{}.base_wait(failure, /*sole_usable=*/false);
}

std::optional<core::Exhaustion> read_exhaustion(const Json& row) {
  const std::string status = get_string(row, "last_status");
  if (status != "exhausted" && status != "dead") return std::nullopt;
  core::Exhaustion e;
  e.dead = status == "dead";
  e.status_code = clamp_int(get_integer(row, "last_error_code").value_or(0));
  const auto reason = core::parse_failure_reason(get_string(row, "failure_reason"));
  e.reason = reason ? *reason : core::reason_for_status(e.status_code);  // old rows: status only
  e.error_code = get_string(row, "last_error_reason");
  e.message = get_string(row, "last_error_message");
  e.at = get_time(row, "last_status_at").value_or(WallTime{});
  if (const auto resets = get_time(row, "last_error_reset_at")) {
    e.resets_at = *resets;
    // Hermes writes last_error_reset_at only for a provider's own reset (reference §1.1).
    e.reset_source = core::parse_reset_source(get_string(row, "last_error_reset_source"))
                         .value_or(core::ResetSource::Provider);
  } else {
    e.resets_at = e.dead ? e.at : e.at + default_cooldown(e.status_code, e.reason);
    e.reset_source = core::ResetSource::Default;
  }
  return e;
}

std::string snake_case(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += (c == '-' || c == '.') ? '_' : c;
    }
  }
  return out;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Hermes' disk-boundary sanitiser (reference §1.4): which keys a borrowed row must not keep.
bool is_secret_like(std::string_view raw_key) {
  const std::string key = snake_case(raw_key);
  if (key == "secret_fingerprint" || key == "secret_source" || key == "token_type" ||
      key == "scope" || key == "client_id" || key.starts_with("agent_key_") ||
      key.starts_with("expires_") || key.starts_with("last_")) {
    return false;
  }
  static const std::set<std::string, std::less<>> kSecretKeys{
      "access_token",  "refresh_token", "agent_key",  "api_key",     "apikey",
      "token",         "tokens",        "secret",     "password",    "client_secret",
      "id_token",      "authorization", "credential", "credentials", "bearer_token",
      "session_token", "private_key",   "anon_token"};
  if (kSecretKeys.contains(key)) return true;
  for (std::string_view suffix : {"_token", "_tokens", "_key", "_secret", "_password"}) {
    if (ends_with(key, suffix)) return true;
  }
  return false;
}

void put(Json& row, const char* key, const Json& value) {
  const auto it = row.find(key);
  if (it == row.end() || *it != value) row[key] = value;
}

// Sets or clears an optional field; `null_when_absent` keeps the key with null (Hermes always
// emits its six status fields).
void put_optional(Json& row, const char* key, const Json& value, bool null_when_absent = false) {
  if (!value.is_null()) return put(row, key, value);
  if (null_when_absent) return put(row, key, nullptr);
  row.erase(key);
}

// Writes a time as float epoch seconds, as Hermes does (1764671234.123456); an unchanged value is
// left exactly as it was (an ISO string or an integer stays as written).
void put_time(Json& row, const char* key, std::optional<WallTime> value,
              bool null_when_absent = false) {
  const auto it = row.find(key);
  if (!value) return put_optional(row, key, nullptr, null_when_absent);
  if (it != row.end() && read_json_time(*it) == value) return;
  row[key] = epoch_json(*value);
}

// Writes a time in the form the field already has (DESIGN.md: expires_at is written back in the
// form it was read): an ISO string stays ISO (with its "Z" or "+00:00"), an integer stays an
// integer in its unit (seconds, or milliseconds above 1e11); otherwise float epoch seconds.
void put_time_in_form(Json& row, const char* key, std::optional<WallTime> value) {
  const auto it = row.find(key);
  if (!value || it == row.end() || it->is_null() || read_json_time(*it) == value) {
    return put_time(row, key, value);
  }
  if (it->is_string() && parse_iso8601(it->get<std::string>())) {
    const bool z = it->get<std::string>().ends_with('Z') || it->get<std::string>().ends_with('z');
    *it = format_iso8601(*value, z ? IsoZone::Z : IsoZone::Offset);
  } else if (it->is_number_integer()) {
    const auto micros = value->time_since_epoch().count();
    const bool ms = static_cast<double>(it->get<long long>()) > 1e11;
    *it = ms ? micros / 1000 : core::to_epoch(*value);
    if (read_json_time(*it) != value) *it = epoch_json(*value);  // not whole: a float says more
  } else {
    *it = epoch_json(*value);
  }
}

void put_secret(Json& row, const char* key, const core::Secret& secret) {
  if (!secret.empty()) return put(row, key, secret.reveal());
  const auto it = row.find(key);
  if (it != row.end() && (it->is_null() || *it == "")) return;
  row.erase(key);
}

void write_expiry(Json& row, const core::Credential& c) {
  // Anthropic-style rows keep their expiry in milliseconds (reference §1.1).
  if (!row.contains("expires_at") && row.contains("expires_at_ms") && c.expires_at) {
    const auto ms = get_integer(row, "expires_at_ms");
    const long long wanted = c.expires_at->time_since_epoch().count() / 1000;
    if (!ms || *ms != wanted) row["expires_at_ms"] = wanted;
    return;
  }
  put_time_in_form(row, "expires_at", c.expires_at);
}

bool same_exhaustion(const std::optional<core::Exhaustion>& a,
                     const std::optional<core::Exhaustion>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->dead == b->dead && a->status_code == b->status_code && a->reason == b->reason &&
         a->error_code == b->error_code && a->message == b->message && a->at == b->at &&
         a->resets_at == b->resets_at && a->reset_source == b->reset_source;
}

void write_exhaustion(Json& row, const std::optional<core::Exhaustion>& exhaustion) {
  // What the row already says is left in its own words (Hermes rows gain no derived fields).
  if (row.contains("last_status") && same_exhaustion(read_exhaustion(row), exhaustion)) return;
  if (!exhaustion) {
    // "ok" with its time is Hermes' own record of a success; anything else is cleared.
    if (get_string(row, "last_status") != "ok") {
      put(row, "last_status", nullptr);
      put(row, "last_status_at", nullptr);
    }
    for (const char* key :
         {"last_error_code", "last_error_reason", "last_error_message", "last_error_reset_at"}) {
      put(row, key, nullptr);
    }
    row.erase("failure_reason");
    row.erase("last_error_reset_source");
    return;
  }
  const core::Exhaustion& e = *exhaustion;
  put(row, "last_status", e.dead ? "dead" : "exhausted");
  put_time(row, "last_status_at", e.at);
  put_optional(row, "last_error_code", e.status_code != 0 ? Json(e.status_code) : Json(), true);
  put_optional(row, "last_error_reason", e.error_code.empty() ? Json() : Json(e.error_code), true);
  put_optional(row, "last_error_message", e.message.empty() ? Json() : Json(e.message), true);
  const bool has_end = !e.dead || e.reset_source != core::ResetSource::Default;
  put_time(row, "last_error_reset_at", has_end ? std::optional(e.resets_at) : std::nullopt, true);
  // Keep Hermes' own spelling ("billing") when it means the same reason.
  if (core::parse_failure_reason(get_string(row, "failure_reason")) != e.reason) {
    row["failure_reason"] = std::string(to_string(e.reason));
  }
  put(row, "last_error_reset_source", std::string(to_string(e.reset_source)));
}

}  // namespace

std::vector<std::string> assign_row_ids(const std::string& key, const Json& rows,
                                        const std::set<std::string>& taken) {
  std::vector<std::string> ids;
  std::set<std::string> seen = taken;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string id = rows[i].is_object() ? get_string(rows[i], "id") : std::string{};
    for (int salt = 0; id.empty() || seen.contains(id); ++salt) {
      // Derived from the position so every load of the same file derives the same id.
      id = secret_fingerprint(fmt::format("{}#{}#{}", key, i, salt)).substr(7, 6);
    }
    seen.insert(id);
    ids.push_back(std::move(id));
  }
  return ids;
}

core::Credential read_row(const std::string& pool, const std::string& id, const Json& row) {
  core::Credential c;
  c.id = id;
  if (const std::string source = get_string(row, "source"); !source.empty()) c.source = source;
  c.label = get_string(row, "label");
  if (c.label.empty()) c.label = row.contains("source") ? c.source : pool;
  c.priority = clamp_int(get_integer(row, "priority").value_or(0));
  c.auth_type =
      core::parse_auth_type(get_string(row, "auth_type")).value_or(core::AuthType::ApiKey);
  if (!is_borrowed_source(pool, c.source)) {
    c.access_token = core::Secret(get_string(row, "access_token"));
    c.refresh_token = core::Secret(get_string(row, "refresh_token"));
  }
  // An Anthropic OAuth token stored as api_key is healed (reference §1.1, Hermes #63737).
  if (pool == "anthropic" && c.access_token.reveal().starts_with("sk-ant-oat")) {
    c.auth_type = core::AuthType::OAuth;
  }
  c.expires_at = get_time(row, "expires_at");
  if (!c.expires_at) {
    if (const auto ms = get_integer(row, "expires_at_ms")) {
      if (*ms / 1000 > -62'167'219'200 && *ms / 1000 < 253'402'300'799) {
        c.expires_at = WallTime{std::chrono::milliseconds{*ms}};
      }
    }
  }
  c.base_url = get_string(row, "base_url");
  c.request_count =
      static_cast<std::uint64_t>(std::max(0LL, get_integer(row, "request_count").value_or(0)));
  c.exhaustion = read_exhaustion(row);
  c.failure_streak = clamp_int(std::max(0LL, get_integer(row, "failure_streak").value_or(0)));
  c.status_cleared_at = get_time(row, "status_cleared_at");
  if (const auto it = row.find("model_cooldowns"); it != row.end() && it->is_object()) {
    for (const auto& [model, until] : it->items()) {
      if (const auto t = read_json_time(until)) c.model_cooldowns.emplace(model, *t);
    }
  }
  c.last_used_at = get_time(row, "last_used_at");
  return c;
}

void write_row(const std::string& pool, const core::Credential& c, const std::string& fingerprint,
               Json& row) {
  // A new row gets every field Hermes writes for one (request_count 0 included); a row already
  // in the file keeps its own set, so a round trip adds nothing to it.
  const bool fresh = row.empty();
  put(row, "id", c.id);
  put(row, "label", c.label);
  if (core::parse_auth_type(get_string(row, "auth_type")) != c.auth_type) {
    row["auth_type"] = std::string(to_string(c.auth_type));
  }
  put(row, "priority", c.priority);
  put(row, "source", c.source);
  if (is_borrowed_source(pool, c.source)) {
    for (auto it = row.begin(); it != row.end();) {
      it = is_secret_like(it.key()) ? row.erase(it) : std::next(it);
    }
    const std::string fp =
        !c.access_token.empty() ? secret_fingerprint(c.access_token.reveal()) : fingerprint;
    if (!fp.empty()) put(row, "secret_fingerprint", fp);
  } else {
    put(row, "access_token", c.access_token.reveal());
    put_secret(row, "refresh_token", c.refresh_token);
  }
  write_expiry(row, c);
  if (!c.base_url.empty()) {
    put(row, "base_url", c.base_url);
  } else if (const auto it = row.find("base_url"); it != row.end() && !it->is_null() && *it != "") {
    row.erase(it);
  }
  if (fresh || c.request_count != 0 || row.contains("request_count")) {
    put(row, "request_count", c.request_count);
  }
  write_exhaustion(row, c.exhaustion);
  put_optional(row, "failure_streak", c.failure_streak > 0 ? Json(c.failure_streak) : Json());
  put_time(row, "status_cleared_at", c.status_cleared_at);
  if (c.model_cooldowns.empty()) {
    if (const auto it = row.find("model_cooldowns"); it != row.end() && !it->is_null()) {
      row.erase(it);
    }
  } else {
    Json cooldowns = row.contains("model_cooldowns") && row["model_cooldowns"].is_object()
                         ? row["model_cooldowns"]
                         : Json::object();
    for (auto it = cooldowns.begin(); it != cooldowns.end();) {
      it = c.model_cooldowns.contains(it.key()) ? std::next(it) : cooldowns.erase(it);
    }
    for (const auto& [model, until] : c.model_cooldowns) put_time(cooldowns, model.c_str(), until);
    put(row, "model_cooldowns", cooldowns);
  }
  put_time(row, "last_used_at", c.last_used_at);
}

}  // namespace credpool::store
