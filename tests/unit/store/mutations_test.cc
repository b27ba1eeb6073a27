#include "store/mutations.h"

#include <gtest/gtest.h>

#include "store/auth_json.h"

namespace credpool::store {
namespace {

using core::from_epoch;
using std::chrono::seconds;

core::Credential cred(const std::string& id, const std::string& source = "manual") {
  core::Credential c;
  c.id = id;
  c.label = id;
  c.source = source;
  c.access_token = core::Secret("sk-" + id + "-0123456789");
  return c;
}

Snapshot pool_of(std::initializer_list<std::string> ids) {
  Snapshot s;
  int priority = 0;
  for (const std::string& id : ids) {
    core::Credential c = cred(id);
    c.priority = priority++;
    s.pools["openai"].credentials.push_back(c);
  }
  return s;
}

std::vector<std::string> ids_of(const Snapshot& s) {
  std::vector<std::string> out;
  for (const core::Credential& c : s.pools.at("openai").credentials) out.push_back(c.id);
  return out;
}

core::Credential& at(Snapshot& s, std::size_t i) { return s.pools.at("openai").credentials.at(i); }

core::Exhaustion cooling(long long at_epoch, long long until_epoch) {
  core::Exhaustion e;
  e.status_code = 429;
  e.reason = core::FailureReason::RateLimit;
  e.at = from_epoch(at_epoch);
  e.resets_at = from_epoch(until_epoch);
  return e;
}

TEST(Mutations, AddCredentialAppendsAfterTheHighestPriorityAndRenumbersNothing) {
  Snapshot s = pool_of({"a", "b"});
  at(s, 0).priority = 4;
  at(s, 1).priority = 9;

  apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("c")});

  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(at(s, 0).priority, 4);
  EXPECT_EQ(at(s, 2).priority, 10);
}

TEST(Mutations, AUsersAddOfATakenLabelInAnyCaseIsSkipped) {
  Snapshot s = pool_of({"a"});
  core::Credential same = cred("b");
  same.label = "A";

  const bool applied = apply_mutation(s, AddCredential{.pool = "openai", .credential = same});

  EXPECT_FALSE(applied);
  EXPECT_EQ(ids_of(s), std::vector<std::string>{"a"});
}

TEST(Mutations, AUsersAddOfASecretAlreadyStoredAsAFingerprintIsSkipped) {
  Snapshot s = pool_of({"a"});
  core::Credential env = cred("e", "env:OPENAI_API_KEY");
  s.pools["openai"].fingerprints["e"] = secret_fingerprint(env.access_token.reveal());
  env.access_token = {};  // a borrowed row is stored without its secret
  s.pools["openai"].credentials.push_back(env);
  core::Credential manual = cred("m");
  manual.access_token = core::Secret(cred("e").access_token.reveal());

  const bool applied = apply_mutation(s, AddCredential{.pool = "openai", .credential = manual});

  EXPECT_FALSE(applied);
}

TEST(Mutations, ASeededRowWhoseSecretIsAlreadyThereIsSkipped) {
  Snapshot s = pool_of({"a"});
  core::Credential env = cred("e", "env:OPENAI_API_KEY");
  env.access_token = at(s, 0).access_token;

  const bool applied = apply_mutation(
      s, AddCredential{.pool = "openai", .credential = env, .clears_suppressions = false});

  EXPECT_FALSE(applied);
}

TEST(Mutations, ASeededRowRacingAnotherForTheSameSourceIsSkipped) {
  Snapshot s = pool_of({"a"});
  const AddCredential first{
      .pool = "openai", .credential = cred("e1", "env:X"), .clears_suppressions = false};
  const AddCredential second{
      .pool = "openai", .credential = cred("e2", "env:X"), .clears_suppressions = false};

  apply_mutation(s, first);
  const bool applied = apply_mutation(s, second);

  EXPECT_FALSE(applied);
  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"a", "e1"}));
}

TEST(Mutations, MarkExhaustedCoolsEveryRowWithTheSameSecretFingerprint) {
  Snapshot s = pool_of({"a", "b"});
  core::Credential env = cred("e", "env:OPENAI_API_KEY");
  s.pools["openai"].fingerprints["e"] = secret_fingerprint(at(s, 0).access_token.reveal());
  env.access_token = {};
  s.pools["openai"].credentials.push_back(env);

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(100, 200)});

  EXPECT_TRUE(at(s, 2).exhaustion.has_value());
  EXPECT_FALSE(at(s, 1).exhaustion.has_value());
}

TEST(Mutations, AModelCooldownFromBeforeAResetIsIgnored) {
  Snapshot s = pool_of({"a"});
  apply_mutation(s, ResetCredential{.pool = "openai", .id = "a", .at = from_epoch(200)});

  apply_mutation(s, SetModelCooldown{.pool = "openai",
                                     .id = "a",
                                     .model = "claude-x",
                                     .until = from_epoch(900),
                                     .at = from_epoch(150)});

  EXPECT_TRUE(at(s, 0).model_cooldowns.empty());
}

TEST(Mutations, ResetClearedAtIsNeverBeforeTheFailureItClears) {
  Snapshot s = pool_of({"a"});
  core::Exhaustion e = cooling(100, 200);
  e.at = from_epoch(100) + std::chrono::microseconds(250'000);
  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = e});

  apply_mutation(s, ResetCredential{.pool = "openai", .id = "a", .at = from_epoch(100)});

  EXPECT_GT(at(s, 0).status_cleared_at, e.at);
}

TEST(Mutations, AddCredentialAtAPositionShiftsTheOthers) {
  Snapshot s = pool_of({"a", "b"});

  apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("c"), .position = 0});

  EXPECT_EQ(ids_of(s), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(at(s, 1).priority, 1);
}

TEST(Mutations, AddCredentialWithAnIdAlreadyPresentIsSkipped) {
  Snapshot s = pool_of({"a"});

  const bool applied = apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("a")});

  EXPECT_FALSE(applied);
  EXPECT_EQ(ids_of(s).size(), 1u);
}

TEST(Mutations, AddCredentialClearsSuppressionsUnlessSeeding) {
  Snapshot s = pool_of({"a"});
  s.pools["openai"].suppressed_sources = {"env:OPENAI_API_KEY"};

  apply_mutation(
      s, AddCredential{
             .pool = "openai", .credential = cred("e", "env:X"), .clears_suppressions = false});
  const auto after_seed = s.pools["openai"].suppressed_sources;
  apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("b")});

  EXPECT_EQ(after_seed.size(), 1u);
  EXPECT_TRUE(s.pools["openai"].suppressed_sources.empty());
}

TEST(Mutations, AddCredentialCreatesANewPool) {
  Snapshot s;

  apply_mutation(s, AddCredential{.pool = "groq", .credential = cred("g")});

  EXPECT_EQ(s.pools.at("groq").credentials.size(), 1u);
}

TEST(Mutations, RemovingAnEnvRowSuppressesItsSource) {
  Snapshot s = pool_of({"a"});
  apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("e", "env:OPENAI_API_KEY")});

  apply_mutation(s, RemoveCredential{.pool = "openai", .id = "e"});

  EXPECT_EQ(ids_of(s), std::vector<std::string>{"a"});
  EXPECT_EQ(s.pools["openai"].suppressed_sources, std::vector<std::string>{"env:OPENAI_API_KEY"});
}

TEST(Mutations, RemovingAConfigRowSuppressesItsSourceButAManualRowDoesNot) {
  Snapshot s = pool_of({"a"});
  apply_mutation(s, AddCredential{.pool = "openai", .credential = cred("c", "config:lab")});

  apply_mutation(s, RemoveCredential{.pool = "openai", .id = "c"});
  apply_mutation(s, RemoveCredential{.pool = "openai", .id = "a"});

  EXPECT_EQ(s.pools["openai"].suppressed_sources, std::vector<std::string>{"config:lab"});
}

TEST(Mutations, RemovedRowStaysRemovedWhenLaterMutationsNameIt) {
  Snapshot s = pool_of({"a", "b"});
  apply_mutation(s, RemoveCredential{.pool = "openai", .id = "a"});

  const bool counted = apply_mutation(s, AddRequestCount{.pool = "openai", .id = "a", .delta = 1});
  const bool marked =
      apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(1, 2)});

  EXPECT_FALSE(counted);
  EXPECT_FALSE(marked);
  EXPECT_EQ(ids_of(s), std::vector<std::string>{"b"});
  EXPECT_EQ(at(s, 0).priority, 0);
}

TEST(Mutations, MarkExhaustedSetsTheExhaustionAndStreak) {
  Snapshot s = pool_of({"a"});

  apply_mutation(
      s, MarkExhausted{
             .pool = "openai", .id = "a", .exhaustion = cooling(100, 200), .failure_streak = 2});

  ASSERT_TRUE(at(s, 0).exhaustion.has_value());
  EXPECT_EQ(at(s, 0).exhaustion->resets_at, from_epoch(200));
  EXPECT_EQ(at(s, 0).failure_streak, 2);
}

TEST(Mutations, MarkExhaustedKeepsALaterLiveCooldownAlreadyOnDisk) {
  Snapshot s = pool_of({"a"});
  at(s, 0).exhaustion = cooling(100, 5000);

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(150, 400)});

  EXPECT_EQ(at(s, 0).exhaustion->resets_at, from_epoch(5000));
}

TEST(Mutations, MarkExhaustedReplacesAnExpiredCooldown) {
  Snapshot s = pool_of({"a"});
  at(s, 0).exhaustion = cooling(10, 5000);

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(6000, 6060)});

  EXPECT_EQ(at(s, 0).exhaustion->resets_at, from_epoch(6060));
}

TEST(Mutations, MarkExhaustedExtendsAShorterLiveCooldown) {
  Snapshot s = pool_of({"a"});
  at(s, 0).exhaustion = cooling(100, 200);

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(150, 3750)});

  EXPECT_EQ(at(s, 0).exhaustion->resets_at, from_epoch(3750));
}

TEST(Mutations, MarkExhaustedDoesNotReviveADeadRowIntoCooling) {
  Snapshot s = pool_of({"a"});
  core::Exhaustion dead = cooling(100, 100);
  dead.dead = true;
  at(s, 0).exhaustion = dead;

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(150, 400)});

  EXPECT_TRUE(at(s, 0).exhaustion->dead);
}

TEST(Mutations, MarkExhaustedIsIgnoredWhenAResetOnDiskIsNewer) {
  Snapshot s = pool_of({"a"});
  at(s, 0).status_cleared_at = from_epoch(200);

  const bool applied = apply_mutation(
      s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(150, 400)});

  EXPECT_FALSE(applied);
  EXPECT_FALSE(at(s, 0).exhaustion.has_value());
}

TEST(Mutations, MarkExhaustedAfterAResetApplies) {
  Snapshot s = pool_of({"a"});
  at(s, 0).status_cleared_at = from_epoch(200);

  apply_mutation(s, MarkExhausted{.pool = "openai", .id = "a", .exhaustion = cooling(250, 400)});

  EXPECT_TRUE(at(s, 0).exhaustion.has_value());
}

TEST(Mutations, ResetClearsCoolingDeadModelCooldownsAndStreak) {
  Snapshot s = pool_of({"a"});
  at(s, 0).exhaustion = cooling(100, 5000);
  at(s, 0).exhaustion->dead = true;
  at(s, 0).model_cooldowns["m"] = from_epoch(9000);
  at(s, 0).failure_streak = 3;

  apply_mutation(s, ResetCredential{.pool = "openai", .id = "a", .at = from_epoch(300)});

  EXPECT_FALSE(at(s, 0).exhaustion.has_value());
  EXPECT_TRUE(at(s, 0).model_cooldowns.empty());
  EXPECT_EQ(at(s, 0).failure_streak, 0);
  EXPECT_EQ(at(s, 0).status_cleared_at, from_epoch(300));
}

TEST(Mutations, ModelCooldownKeepsTheLaterTime) {
  Snapshot s = pool_of({"a"});
  apply_mutation(
      s, SetModelCooldown{.pool = "openai", .id = "a", .model = "m", .until = from_epoch(900)});

  apply_mutation(
      s, SetModelCooldown{.pool = "openai", .id = "a", .model = "m", .until = from_epoch(500)});

  EXPECT_EQ(at(s, 0).model_cooldowns.at("m"), from_epoch(900));
}

TEST(Mutations, RequestCountDeltasAddUpAndLastUsedKeepsTheLatest) {
  Snapshot s = pool_of({"a"});
  at(s, 0).request_count = 10;

  apply_mutation(
      s, AddRequestCount{.pool = "openai", .id = "a", .delta = 5, .last_used_at = from_epoch(50)});
  apply_mutation(
      s, AddRequestCount{.pool = "openai", .id = "a", .delta = 2, .last_used_at = from_epoch(40)});

  EXPECT_EQ(at(s, 0).request_count, 17u);
  EXPECT_EQ(at(s, 0).last_used_at, from_epoch(50));
}

TEST(Mutations, RecordSuccessClearsTheStreak) {
  Snapshot s = pool_of({"a"});
  at(s, 0).failure_streak = 4;

  apply_mutation(s, RecordSuccess{.pool = "openai", .id = "a"});

  EXPECT_EQ(at(s, 0).failure_streak, 0);
}

TEST(Mutations, MoveClampsAndShifts) {
  struct Case {
    std::string id;
    int position;
    std::vector<std::string> expected;
  };
  for (const Case& c : {Case{"c", 0, {"c", "a", "b"}}, Case{"a", 99, {"b", "c", "a"}},
                        Case{"b", -5, {"b", "a", "c"}}, Case{"a", 1, {"b", "a", "c"}}}) {
    SCOPED_TRACE(c.id + " to " + std::to_string(c.position));
    Snapshot s = pool_of({"a", "b", "c"});

    apply_mutation(s, MoveCredential{.pool = "openai", .id = c.id, .position = c.position});

    EXPECT_EQ(ids_of(s), c.expected);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(at(s, static_cast<std::size_t>(i)).priority, i);
  }
}

TEST(Mutations, StrategyAndCursorAreSet) {
  Snapshot s = pool_of({"a"});

  apply_mutation(s, SetStrategy{.pool = "openai", .strategy = core::Strategy::LeastUsed});
  apply_mutation(s, SetCursor{.pool = "openai", .id = "a"});

  EXPECT_EQ(s.pools["openai"].strategy, core::Strategy::LeastUsed);
  EXPECT_EQ(s.pools["openai"].cursor_id, "a");
}

TEST(Mutations, UpdateTokensReplacesTokensAndClearsAnAuthExhaustion) {
  Snapshot s = pool_of({"a"});
  at(s, 0).exhaustion = core::Exhaustion{};
  at(s, 0).exhaustion->status_code = 401;
  at(s, 0).exhaustion->reason = core::FailureReason::Auth;

  apply_mutation(s, UpdateTokens{.pool = "openai",
                                 .id = "a",
                                 .access_token = core::Secret("new-access"),
                                 .refresh_token = core::Secret("new-refresh"),
                                 .expires_at = from_epoch(777)});

  EXPECT_EQ(at(s, 0).access_token.reveal(), "new-access");
  EXPECT_EQ(at(s, 0).refresh_token.reveal(), "new-refresh");
  EXPECT_EQ(at(s, 0).expires_at, from_epoch(777));
  EXPECT_FALSE(at(s, 0).exhaustion.has_value());
}

TEST(Mutations, UnknownPoolIsSkipped) {
  Snapshot s = pool_of({"a"});

  const bool applied = apply_mutation(s, RecordSuccess{.pool = "nope", .id = "a"});

  EXPECT_FALSE(applied);
}

}  // namespace
}  // namespace credpool::store
