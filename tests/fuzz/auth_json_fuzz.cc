// Fuzzes auth.json reading and writing. The whole input is the file's text. A parse that
// succeeds must render to text that parses again to the same Snapshot: a rewrite never changes
// what the pools mean (the raw JSON may change form, e.g. derived ids and priorities get written).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/auth_json.h"

namespace {

using namespace credpool;

bool same_exhaustion(const std::optional<core::Exhaustion>& a,
                     const std::optional<core::Exhaustion>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->status_code == b->status_code && a->reason == b->reason &&
         a->error_code == b->error_code && a->message == b->message && a->at == b->at &&
         a->resets_at == b->resets_at && a->reset_source == b->reset_source && a->dead == b->dead;
}

bool same_credential(const core::Credential& a, const core::Credential& b) {
  return a.id == b.id && a.label == b.label && a.priority == b.priority &&
         a.auth_type == b.auth_type && a.source == b.source && a.access_token == b.access_token &&
         a.refresh_token == b.refresh_token && a.expires_at == b.expires_at &&
         a.base_url == b.base_url && a.request_count == b.request_count &&
         same_exhaustion(a.exhaustion, b.exhaustion) && a.failure_streak == b.failure_streak &&
         a.status_cleared_at == b.status_cleared_at && a.model_cooldowns == b.model_cooldowns &&
         a.last_used_at == b.last_used_at;
}

bool same_pool(const store::PoolRecord& a, const store::PoolRecord& b) {
  if (a.credentials.size() != b.credentials.size()) return false;
  for (std::size_t i = 0; i < a.credentials.size(); ++i) {
    if (!same_credential(a.credentials[i], b.credentials[i])) return false;
  }
  return a.strategy == b.strategy && a.cursor_id == b.cursor_id &&
         a.suppressed_sources == b.suppressed_sources && a.fingerprints == b.fingerprints;
}

// Prints which pool differs (never a secret: the fuzz inputs hold dummy keys) and aborts.
[[noreturn]] void fail(const char* what, const std::string& pool, const std::string& rendered) {
  std::fprintf(stderr, "auth_json round trip: %s (pool \"%s\")\nrendered:\n%s\n", what,
               pool.c_str(), rendered.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto first = store::parse_auth_json(text, "auth.json");
  if (!first) return 0;
  const std::string rendered = store::render_auth_json(first->raw, first->snapshot);
  const auto second = store::parse_auth_json(rendered, "auth.json");

  if (!second) fail(second.error().message.c_str(), "", rendered);
  const auto& before = first->snapshot.pools;
  const auto& after = second->snapshot.pools;
  for (const auto& [key, pool] : before) {
    const auto it = after.find(key);
    if (it == after.end()) fail("pool lost", key, rendered);
    if (!same_pool(pool, it->second)) fail("pool changed", key, rendered);
  }
  for (const auto& [key, pool] : after) {
    if (!before.contains(key)) fail("pool appeared", key, rendered);
  }
  return 0;
}
