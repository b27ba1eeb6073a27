#include "store/seeding.h"

#include <map>

#include <gtest/gtest.h>

#include "store/auth_json.h"
#include "store/file_store.h"
#include "store/memory_store.h"
#include "store/mutations.h"
#include "unit/store/temp_home.h"

namespace credpool::store {
namespace {

using credpool::testing::read_file;
using credpool::testing::TempHome;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

const std::vector<EnvSeed> kOpenAi{{"openai", {"OPENAI_API_KEY"}}};

std::vector<std::string> sources_of(const Snapshot& s, const std::string& pool) {
  std::vector<std::string> out;
  if (!s.pools.contains(pool)) return out;
  for (const core::Credential& c : s.pools.at(pool).credentials) out.push_back(c.source);
  return out;
}

TEST(Seeding, NumberedSiblingsAreSeededUntilTheFirstGap) {
  MemoryStore store;
  core::SplitMixRandom random(1);
  const EnvLookup env = env_of({{"OPENAI_API_KEY", "sk-one-0123456789"},
                                {"OPENAI_API_KEY_2", "sk-two-0123456789"},
                                {"OPENAI_API_KEY_4", "sk-four-0123456789"}});

  const auto s = load_seeded(store, kOpenAi, {}, env, random);

  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(sources_of(*s, "openai"),
            (std::vector<std::string>{"env:OPENAI_API_KEY", "env:OPENAI_API_KEY_2"}));
  EXPECT_EQ(s->pools.at("openai").credentials[1].label, "OPENAI_API_KEY_2");
}

TEST(Seeding, SeededRowsAreAppendedAfterExistingRowsWithFreshIds) {
  Snapshot initial;
  core::Credential manual;
  manual.id = "abc123";
  manual.label = "mine";
  manual.access_token = core::Secret("sk-mine-0123456789");
  initial.pools["openai"].credentials.push_back(manual);
  MemoryStore store(initial);
  core::SplitMixRandom random(2);

  const auto s =
      load_seeded(store, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-env-0123456789"}}), random);

  ASSERT_TRUE(s.has_value());
  const auto& rows = s->pools.at("openai").credentials;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].priority, 1);
  EXPECT_EQ(rows[1].id.size(), 6u);
  EXPECT_NE(rows[1].id, "abc123");
  EXPECT_EQ(rows[1].access_token.reveal(), "sk-env-0123456789");
}

TEST(Seeding, PresentSourceIsNotAddedTwice) {
  MemoryStore store;
  core::SplitMixRandom random(3);
  const EnvLookup env = env_of({{"OPENAI_API_KEY", "sk-one-0123456789"}});
  ASSERT_TRUE(load_seeded(store, kOpenAi, {}, env, random));

  const auto s = load_seeded(store, kOpenAi, {}, env, random);

  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pools.at("openai").credentials.size(), 1u);
  EXPECT_EQ(store.apply_count(), 1);
}

TEST(Seeding, AKeyAlreadyInThePoolUnderAnotherSourceGetsNoSecondRow) {
  core::Credential manual;
  manual.id = "m1";
  manual.label = "mine";
  manual.access_token = core::Secret("sk-one-0123456789");
  Snapshot initial;
  initial.pools["openai"].credentials.push_back(manual);
  MemoryStore store(initial);
  core::SplitMixRandom random(3);

  const auto s =
      load_seeded(store, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-one-0123456789"}}), random);

  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(sources_of(*s, "openai"), std::vector<std::string>{"manual"});
}

TEST(Seeding, SuppressedSourceIsNotReseeded) {
  MemoryStore store;
  core::SplitMixRandom random(4);
  const EnvLookup env = env_of({{"OPENAI_API_KEY", "sk-one-0123456789"}});
  auto first = load_seeded(store, kOpenAi, {}, env, random);
  ASSERT_TRUE(first);
  const Mutation remove =
      RemoveCredential{.pool = "openai", .id = first->pools.at("openai").credentials[0].id};
  ASSERT_TRUE(store.apply({&remove, 1}));

  const auto s = load_seeded(store, kOpenAi, {}, env, random);

  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->pools.at("openai").credentials.empty());
}

TEST(Seeding, SeedingOneVariableDoesNotLiftAnotherSuppression) {
  Snapshot initial;
  initial.pools["openai"].suppressed_sources = {"env:OPENAI_API_KEY_2"};
  MemoryStore store(initial);
  core::SplitMixRandom random(5);

  const auto s = load_seeded(
      store, kOpenAi, {},
      env_of({{"OPENAI_API_KEY", "sk-1-0123456789"}, {"OPENAI_API_KEY_2", "sk-2-0123456789"}}),
      random);

  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(sources_of(*s, "openai"), std::vector<std::string>{"env:OPENAI_API_KEY"});
  EXPECT_EQ(s->pools.at("openai").suppressed_sources,
            std::vector<std::string>{"env:OPENAI_API_KEY_2"});
}

TEST(Seeding, SecondVariableOfAPoolIsSeededToo) {
  MemoryStore store;
  core::SplitMixRandom random(6);
  const std::vector<EnvSeed> gemini{{"gemini", {"GEMINI_API_KEY", "GOOGLE_API_KEY"}}};

  const auto s =
      load_seeded(store, gemini, {}, env_of({{"GOOGLE_API_KEY", "g-0123456789abc"}}), random);

  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(sources_of(*s, "gemini"), std::vector<std::string>{"env:GOOGLE_API_KEY"});
}

TEST(Seeding, EnvRowIsStoredWithoutSecretButWithFingerprint) {
  TempHome tmp;
  FileStore store(tmp.home());
  core::SplitMixRandom random(7);
  const EnvLookup env = env_of({{"OPENAI_API_KEY", "sk-sentinel-0123456789"}});

  const auto s = load_seeded(store, kOpenAi, {}, env, random);

  ASSERT_TRUE(s.has_value());
  const std::string disk = read_file(tmp.auth());
  EXPECT_EQ(disk.find("sk-sentinel-0123456789"), std::string::npos);
  EXPECT_NE(disk.find(secret_fingerprint("sk-sentinel-0123456789")), std::string::npos);
  EXPECT_EQ(s->pools.at("openai").credentials[0].access_token.reveal(), "sk-sentinel-0123456789");
}

TEST(Seeding, EnvRowWhoseVariableIsUnsetKeepsAnEmptySecretAndStays) {
  TempHome tmp;
  FileStore store(tmp.home());
  core::SplitMixRandom random(8);
  ASSERT_TRUE(
      load_seeded(store, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-x-0123456789"}}), random));

  const auto s = load_seeded(store, kOpenAi, {}, env_of({}), random);

  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->pools.at("openai").credentials.size(), 1u);
  EXPECT_TRUE(s->pools.at("openai").credentials[0].access_token.empty());
}

TEST(Seeding, PersistedEnvRowOfAnUndeclaredVariableIsHydrated) {
  Snapshot s;
  core::Credential c;
  c.id = "e1";
  c.label = "EXTRA";
  c.source = "env:EXTRA_KEY";
  s.pools["openai"].credentials.push_back(c);

  hydrate(s, env_of({{"EXTRA_KEY", "sk-extra-0123456789"}}));

  EXPECT_EQ(s.pools["openai"].credentials[0].access_token.reveal(), "sk-extra-0123456789");
}

TEST(Seeding, ConfigSeedAddsACustomRowAndHydratesIt) {
  TempHome tmp;
  FileStore store(tmp.home());
  core::SplitMixRandom random(9);
  const std::vector<ConfigSeed> custom{{.pool = "custom:lab",
                                        .name = "Lab",
                                        .api_key = core::Secret("lab-key-0123456789"),
                                        .base_url = "http://127.0.0.1:9001/v1"}};

  const auto s = load_seeded(store, {}, custom, env_of({}), random);

  ASSERT_TRUE(s.has_value());
  const core::Credential& row = s->pools.at("custom:lab").credentials.at(0);
  EXPECT_EQ(row.source, "config:Lab");
  EXPECT_EQ(row.label, "Lab");
  EXPECT_EQ(row.base_url, "http://127.0.0.1:9001/v1");
  EXPECT_EQ(row.access_token.reveal(), "lab-key-0123456789");
  EXPECT_EQ(read_file(tmp.auth()).find("lab-key-0123456789"), std::string::npos);
}

TEST(Seeding, EnvLabelCollidingWithAManualLabelGetsASuffix) {
  Snapshot s;
  core::Credential c;
  c.id = "m1";
  c.label = "openai_api_key";
  s.pools["openai"].credentials.push_back(c);
  core::SplitMixRandom random(10);

  const auto mutations =
      seed_mutations(s, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-0123456789abc"}}), random);

  ASSERT_EQ(mutations.size(), 1u);
  EXPECT_EQ(std::get<AddCredential>(mutations[0]).credential.label, "OPENAI_API_KEY-2");
}

TEST(Seeding, ChangedEnvKeyClearsTheOldKeysCooldownAndRecordsTheNewFingerprint) {
  TempHome tmp;
  FileStore store(tmp.home());
  core::SplitMixRandom random(12);
  auto first =
      load_seeded(store, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-old-0123456789"}}), random);
  ASSERT_TRUE(first);
  core::Exhaustion e;
  e.status_code = 429;
  e.at = core::from_epoch(100);
  e.resets_at = core::from_epoch(4000);
  const Mutation mark = MarkExhausted{
      .pool = "openai", .id = first->pools.at("openai").credentials[0].id, .exhaustion = e};
  ASSERT_TRUE(store.apply({&mark, 1}));

  const auto s =
      load_seeded(store, kOpenAi, {}, env_of({{"OPENAI_API_KEY", "sk-new-0123456789"}}), random);

  ASSERT_TRUE(s.has_value());
  const PoolRecord& pool = s->pools.at("openai");
  EXPECT_FALSE(pool.credentials[0].exhaustion.has_value());
  EXPECT_EQ(pool.fingerprints.at(pool.credentials[0].id), secret_fingerprint("sk-new-0123456789"));
  EXPECT_EQ(read_file(tmp.auth()).find("sk-new-0123456789"), std::string::npos);
}

TEST(Seeding, UnchangedEnvKeyKeepsItsCooldown) {
  TempHome tmp;
  FileStore store(tmp.home());
  core::SplitMixRandom random(13);
  const EnvLookup env = env_of({{"OPENAI_API_KEY", "sk-same-0123456789"}});
  auto first = load_seeded(store, kOpenAi, {}, env, random);
  ASSERT_TRUE(first);
  core::Exhaustion e;
  e.status_code = 429;
  e.at = core::from_epoch(100);
  e.resets_at = core::from_epoch(4000);
  const Mutation mark = MarkExhausted{
      .pool = "openai", .id = first->pools.at("openai").credentials[0].id, .exhaustion = e};
  ASSERT_TRUE(store.apply({&mark, 1}));

  const auto s = load_seeded(store, kOpenAi, {}, env, random);

  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->pools.at("openai").credentials[0].exhaustion.has_value());
}

TEST(CredentialIds, AreSixLowercaseHexCharacters) {
  core::SplitMixRandom random(11);

  for (int i = 0; i < 100; ++i) {
    const std::string id = new_credential_id(random);

    ASSERT_EQ(id.size(), 6u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  }
}

TEST(GeneratedLabels, UseTheSmallestUnusedNumber) {
  std::vector<core::Credential> rows(2);
  rows[0].label = "openai-1";
  rows[1].label = "OPENAI-3";

  EXPECT_EQ(generated_label("openai", rows), "openai-2");
  EXPECT_EQ(generated_label("openai", {}), "openai-1");
}

}  // namespace
}  // namespace credpool::store
