#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/credential.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"
#include "store/store.h"

namespace credpool::store {

// The environment variables that seed one pool, from the provider catalogue, e.g.
// {"gemini", {"GEMINI_API_KEY", "GOOGLE_API_KEY"}}. Numbered siblings (VAR_2, VAR_3, ... up to the
// first unset one) are tried for each variable.
struct EnvSeed {
  std::string pool;
  std::vector<std::string> variables;
};

// One `custom_providers` entry of config.yaml that carries an api_key (reference §4.4).
struct ConfigSeed {
  std::string pool;      // "custom:<name lower-cased, spaces to ->", computed by the config layer
  std::string name;      // the config name as written; source "config:<name>", label <name>
  core::Secret api_key;  // already ${VAR}-expanded; empty: nothing is seeded
  std::string base_url;
};

// Returns the value of an environment variable, or nullopt when unset. An empty value counts as
// unset. Tests pass a map; the CLI and gateway pass a getenv wrapper.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Returns an EnvLookup reading the process environment (getenv). Not thread-safe against setenv.
EnvLookup process_env();

// Returns a new credential id: 6 lowercase hex characters (Hermes' format, reference Appendix A).
std::string new_credential_id(core::Random& random);
// Returns a new id that no credential in `existing` has (bounded retries, then a longer id).
std::string new_credential_id(core::Random& random, const std::vector<core::Credential>& existing);
// Returns `<provider>-<n>` with the smallest n >= 1 not used (case-insensitively) as a label in
// `existing` (DESIGN.md: generated labels).
std::string generated_label(std::string_view provider,
                            const std::vector<core::Credential>& existing);

// Computes the mutations that add missing env and config rows to `snapshot` (pure):
// - for each EnvSeed variable VAR and its numbered siblings that are set: a row with source
//   `env:VAR`, label VAR, auth_type api_key, a new id from `random`, appended after the existing
//   rows, unless the pool already has a row with that source or the source is in the pool's
//   suppressed_sources;
// - for each ConfigSeed with a non-empty api_key: a row with source `config:<name>`, label <name>
//   and the seed's base_url, under the same two conditions.
// The rows carry their secret so the store can write the fingerprint; the store never writes
// the secret of a borrowed row. These AddCredential mutations do not clear suppressions.
std::vector<Mutation> seed_mutations(const Snapshot& snapshot, const std::vector<EnvSeed>& env,
                                     const std::vector<ConfigSeed>& custom, const EnvLookup& lookup,
                                     core::Random& random);

// Fills the access_token of every `env:VAR` row from `lookup` (whether or not VAR is in a seed
// list) and of every `config:<name>` row from the matching ConfigSeed. A row whose source is
// unset keeps an empty secret: it is never selected and never deleted.
void hydrate(Snapshot& snapshot, const EnvLookup& lookup,
             const std::vector<ConfigSeed>& custom = {});

// Returns, for each borrowed row whose live secret (env or config) no longer matches its stored
// fingerprint, an UpdateTokens that records the new fingerprint and, when the row carries an
// exhaustion, model cooldowns or a streak, a ResetCredential: they belonged to the old key.
std::vector<Mutation> rekey_mutations(const Snapshot& snapshot, const EnvLookup& lookup,
                                      const std::vector<ConfigSeed>& custom);

// Loads `store`; if seeding (new rows, and rekey_mutations) yields mutations, applies them in one
// write and uses the result; then hydrates. Called by the CLI and the gateway whenever they load
// pools. Fails as the store does. Blocking (file I/O): CLI or store thread only.
Result<Snapshot> load_seeded(Store& store, const std::vector<EnvSeed>& env,
                             const std::vector<ConfigSeed>& custom, const EnvLookup& lookup,
                             core::Random& random);

}  // namespace credpool::store
