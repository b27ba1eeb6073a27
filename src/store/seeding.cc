#include "store/seeding.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "store/auth_json.h"
#include "store/mutations.h"

namespace credpool::store {

namespace {

// Bounds the sibling scan (VAR_2 ... VAR_99); nobody exports a hundred keys of one provider.
constexpr int kMaxSibling = 99;
// Bounds retries for a fresh id before falling back to a longer one.
constexpr int kIdAttempts = 64;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool label_taken(std::string_view label, const std::vector<core::Credential>& rows) {
  const std::string wanted = lower(label);
  return std::any_of(rows.begin(), rows.end(),
                     [&](const core::Credential& c) { return lower(c.label) == wanted; });
}

// Labels are unique per pool (Pool::from_entries refuses duplicates): VAR, else VAR-2, ...
std::string unique_label(const std::string& wanted, const std::vector<core::Credential>& rows) {
  if (!label_taken(wanted, rows)) return wanted;
  for (int n = 2;; ++n) {
    std::string candidate = fmt::format("{}-{}", wanted, n);
    if (!label_taken(candidate, rows)) return candidate;
  }
}

bool has_source(const std::vector<core::Credential>& rows, const std::string& source) {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const core::Credential& c) { return c.source == source; });
}

// Plans the rows of one pool; `rows` starts as the pool's rows and grows with each planned one so
// ids and labels stay unique within one seeding pass.
class PoolSeeder {
 public:
  PoolSeeder(const Snapshot& snapshot, const std::string& pool, core::Random& random,
             std::vector<Mutation>& out)
      : pool_(pool), random_(random), out_(out) {
    if (const auto it = snapshot.pools.find(pool); it != snapshot.pools.end()) {
      record_ = it->second;
    }
  }

  void offer(const std::string& source, const std::string& label, const std::string& secret,
             const std::string& base_url) {
    std::vector<core::Credential>& rows = record_.credentials;
    const std::vector<std::string>& suppressed = record_.suppressed_sources;
    if (secret.empty() || has_source(rows, source)) return;
    if (std::find(suppressed.begin(), suppressed.end(), source) != suppressed.end()) return;
    // One secret, one credential: a key already in the pool (added by hand, or through another
    // variable) gets no second row (DESIGN.md).
    const std::string fp = secret_fingerprint(secret);
    if (std::any_of(rows.begin(), rows.end(),
                    [&](const core::Credential& c) { return fingerprint_of(record_, c) == fp; })) {
      return;
    }
    core::Credential c;
    c.id = new_credential_id(random_, rows);
    c.label = unique_label(label, rows);
    c.priority = static_cast<int>(rows.size());
    // An Anthropic OAuth token in ANTHROPIC_API_KEY is still OAuth (reference §1.1, #63737).
    c.auth_type = pool_ == "anthropic" && secret.starts_with("sk-ant-oat") ? core::AuthType::OAuth
                                                                           : core::AuthType::ApiKey;
    c.source = source;
    c.access_token = core::Secret(secret);
    c.base_url = base_url;
    rows.push_back(c);
    out_.push_back(AddCredential{
        .pool = pool_, .credential = std::move(c), .position = {}, .clears_suppressions = false});
  }

 private:
  std::string pool_;
  core::Random& random_;
  std::vector<Mutation>& out_;
  PoolRecord record_;  // the pool's rows plus those planned so far
};

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

std::string new_credential_id(core::Random& random) {
  // Hermes ids are 6 lowercase hex characters (reference Appendix A).
  return fmt::format("{:06x}", random.below(1ULL << 24));
}

std::string new_credential_id(core::Random& random, const std::vector<core::Credential>& existing) {
  std::set<std::string> taken;
  for (const core::Credential& c : existing) taken.insert(lower(c.id));
  for (int attempt = 0; attempt < kIdAttempts; ++attempt) {
    std::string id = new_credential_id(random);
    if (!taken.contains(id)) return id;
  }
  // A pool near 16 million rows: widen instead of looping forever.
  for (;;) {
    std::string id =
        fmt::format("{:06x}{:06x}", random.below(1ULL << 24), random.below(1ULL << 24));
    if (!taken.contains(id)) return id;
  }
}

std::string generated_label(std::string_view provider,
                            const std::vector<core::Credential>& existing) {
  for (std::size_t n = 1;; ++n) {
    std::string label = fmt::format("{}-{}", provider, n);
    if (!label_taken(label, existing)) return label;
  }
}

std::vector<Mutation> seed_mutations(const Snapshot& snapshot, const std::vector<EnvSeed>& env,
                                     const std::vector<ConfigSeed>& custom, const EnvLookup& lookup,
                                     core::Random& random) {
  std::vector<Mutation> out;
  std::map<std::string, PoolSeeder> seeders;
  auto seeder = [&](const std::string& pool) -> PoolSeeder& {
    auto it = seeders.find(pool);
    if (it == seeders.end()) it = seeders.try_emplace(pool, snapshot, pool, random, out).first;
    return it->second;
  };
  for (const EnvSeed& seed : env) {
    for (const std::string& variable : seed.variables) {
      auto offer = [&](const std::string& name) {
        const auto value = lookup(name);
        if (value && !value->empty()) seeder(seed.pool).offer("env:" + name, name, *value, "");
        return value && !value->empty();
      };
      offer(variable);
      // Numbered siblings stop at the first gap (reference §4.1).
      for (int n = 2; n <= kMaxSibling && offer(fmt::format("{}_{}", variable, n)); ++n) {
      }
    }
  }
  for (const ConfigSeed& seed : custom) {
    seeder(seed.pool).offer("config:" + seed.name, seed.name, seed.api_key.reveal(), seed.base_url);
  }
  return out;
}

void hydrate(Snapshot& snapshot, const EnvLookup& lookup, const std::vector<ConfigSeed>& custom) {
  // Named members, not a structured binding: clang 14 cannot capture a binding in a lambda.
  for (auto& entry : snapshot.pools) {
    const std::string& key = entry.first;
    for (core::Credential& c : entry.second.credentials) {
      if (c.source.starts_with("env:")) {
        const auto value = lookup(c.source.substr(4));
        c.access_token = core::Secret(value.value_or(""));
      } else if (c.source.starts_with("config:")) {
        const std::string name = c.source.substr(7);
        const auto seed = std::find_if(custom.begin(), custom.end(), [&](const ConfigSeed& s) {
          return s.pool == key && s.name == name;
        });
        c.access_token = seed != custom.end() ? seed->api_key : core::Secret();
      }
    }
  }
}

std::vector<Mutation> rekey_mutations(const Snapshot& snapshot, const EnvLookup& lookup,
                                      const std::vector<ConfigSeed>& custom) {
  Snapshot hydrated = snapshot;
  hydrate(hydrated, lookup, custom);
  std::vector<Mutation> out;
  for (const auto& [key, pool] : hydrated.pools) {
    for (const core::Credential& c : pool.credentials) {
      const auto stored = pool.fingerprints.find(c.id);
      if (c.access_token.empty() || stored == pool.fingerprints.end()) continue;
      if (stored->second == secret_fingerprint(c.access_token.reveal())) continue;
      // The source now holds another key: record its fingerprint, and the old key's
      // exhaustion no longer says anything about it (reference §4.3).
      out.push_back(UpdateTokens{
          .pool = key, .id = c.id, .access_token = c.access_token, .refresh_token = {}});
      if (c.exhaustion || !c.model_cooldowns.empty() || c.failure_streak > 0) {
        const core::WallTime at = c.exhaustion ? c.exhaustion->at : core::WallTime{};
        out.push_back(ResetCredential{.pool = key, .id = c.id, .at = at});
      }
    }
  }
  return out;
}

Result<Snapshot> load_seeded(Store& store, const std::vector<EnvSeed>& env,
                             const std::vector<ConfigSeed>& custom, const EnvLookup& lookup,
                             core::Random& random) {
  auto snapshot = store.load();
  if (!snapshot) return snapshot.error();
  std::vector<Mutation> seeds = seed_mutations(*snapshot, env, custom, lookup, random);
  for (Mutation& m : rekey_mutations(*snapshot, lookup, custom)) seeds.push_back(std::move(m));
  if (!seeds.empty()) {
    snapshot = store.apply(seeds);
    if (!snapshot) return snapshot.error();
  }
  hydrate(*snapshot, lookup, custom);
  return snapshot;
}

}  // namespace credpool::store
