// What a home Hermes Agent also writes must load, and survive credpool's writes (issue #7 §5).
#include <gtest/gtest.h>

#include "core/pool.h"
#include "store/auth_json.h"
#include "store/file_store.h"
#include "store/json_time.h"
#include "store/mutations.h"
#include "support/fake_clock.h"
#include "temp_home.h"

namespace credpool::store {
namespace {

using core::from_epoch;
using Json = nlohmann::ordered_json;
using std::chrono::microseconds;

Snapshot parse_ok(const std::string& text) {
  auto doc = parse_auth_json(text, "/h/auth.json");
  EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().message);
  return doc ? doc->snapshot : Snapshot{};
}

Json rewrite(const std::string& text, const std::vector<Mutation>& mutations) {
  auto doc = parse_auth_json(text, "auth.json");
  EXPECT_TRUE(doc.has_value());
  apply_mutations(doc->snapshot, mutations);
  return Json::parse(render_auth_json(doc->raw, doc->snapshot));
}

core::Exhaustion limited(core::WallTime at) {
  core::Exhaustion e;
  e.status_code = 429;
  e.reason = core::FailureReason::RateLimit;
  e.at = at;
  e.resets_at = at + std::chrono::hours(1);
  e.reset_source = core::ResetSource::Provider;
  return e;
}

constexpr const char* kTwoCaseLabels = R"({"credential_pool": {"openai": [
  {"id": "a1", "label": "Work", "priority": 0, "source": "manual", "access_token": "sk-a-0123456789"},
  {"id": "b2", "label": "work", "priority": 1, "source": "manual", "access_token": "sk-b-0123456789"}
]}})";

TEST(HermesTolerance, LabelsThatDifferOnlyInCaseLoadIntoAPool) {
  const Snapshot s = parse_ok(kTwoCaseLabels);
  const PoolRecord& r = s.pools.at("openai");

  auto pool = core::Pool::from_entries("openai", r.credentials, core::Strategy::FillFirst,
                                       std::nullopt, nullptr);

  ASSERT_TRUE(pool.has_value()) << pool.error().message;
  EXPECT_EQ(pool->size(), 2U);
}

TEST(HermesTolerance, ARowHermesRewroteWithoutCredpoolsFieldsKeepsItsMeaning) {
  // Hermes drops row fields it does not know (failure_reason, last_error_reset_source, ...).
  const Snapshot s = parse_ok(R"({"credential_pool": {"openai": [{"id": "a", "label": "a",
    "last_status": "exhausted", "last_status_at": 1788000000.5, "last_error_code": 402,
    "last_error_reset_at": 1788003600.5}]}})");

  const core::Exhaustion& e = *s.pools.at("openai").credentials.at(0).exhaustion;

  EXPECT_EQ(e.reason, core::FailureReason::Quota);
  EXPECT_EQ(e.reset_source, core::ResetSource::Provider);
  EXPECT_EQ(e.resets_at, from_epoch(1788003600) + microseconds(500'000));
}

TEST(HermesTolerance, TimesAreWrittenAsFloatSecondsWithMicroseconds) {
  const core::WallTime at = from_epoch(1764671234) + microseconds(123456);

  const Json out = rewrite(kTwoCaseLabels, {MarkExhausted{"openai", "a1", limited(at), 0}});

  const Json& row = out["credential_pool"]["openai"][0];
  ASSERT_TRUE(row["last_status_at"].is_number_float());
  EXPECT_EQ(row["last_status_at"].dump(), "1764671234.123456");
  EXPECT_EQ(row["last_error_reset_at"].dump(), "1764674834.123456");
}

TEST(HermesTolerance, AMillisecondResetTimeReadsAsTheSameInstant) {
  const Snapshot s = parse_ok(R"({"credential_pool": {"openai": [{"id": "a", "label": "a",
    "last_status": "exhausted", "last_status_at": 1788000000.25, "last_error_code": 429,
    "last_error_reset_at": 1788000060500}]}})");

  const core::Exhaustion& e = *s.pools.at("openai").credentials.at(0).exhaustion;

  EXPECT_EQ(e.resets_at, from_epoch(1788000060) + microseconds(500'000));
  EXPECT_EQ(e.at, from_epoch(1788000000) + microseconds(250'000));
}

TEST(HermesTolerance, IsoTimesKeepTheirFraction) {
  EXPECT_EQ(read_json_time(Json("2026-09-10T08:15:00.123456+00:00")),
            from_epoch(1789028100) + microseconds(123456));
}

TEST(HermesTolerance, ExpiresAtIsWrittenBackInTheFormItWasRead) {
  struct Case {
    const char* stored;
    const char* written;
  };
  const Case cases[] = {
      {"\"2026-09-10T09:00:00Z\"", "\"2026-09-10T10:00:00Z\""},
      {"\"2026-09-10T09:00:00+00:00\"", "\"2026-09-10T10:00:00+00:00\""},
      {"1789030800", "1789034400"},
      {"1789030800000", "1789034400000"},
      {"1789030800.5", "1789034400.5"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.stored);
    const std::string text = std::string(R"({"credential_pool": {"nous": [{"id": "n", "label": "n",
      "source": "device_code", "auth_type": "oauth", "access_token": "t", "expires_at": )") +
                             c.stored + "}]}}";
    auto doc = parse_auth_json(text, "auth.json");
    ASSERT_TRUE(doc);
    core::Credential& row = doc->snapshot.pools.at("nous").credentials.at(0);
    ASSERT_TRUE(row.expires_at.has_value());

    row.expires_at = *row.expires_at + std::chrono::hours(1);
    const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

    EXPECT_EQ(out["credential_pool"]["nous"][0]["expires_at"].dump(), c.written);
  }
}

TEST(HermesTolerance, UnknownTopLevelKeysAndRowFieldsSurviveAWrite) {
  const std::string text = R"({"version": 1, "plugin_state": {"x": [1, 2]},
    "credential_pool": {"openai": [{"id": "a", "label": "a", "source": "manual",
      "access_token": "sk-a-0123456789", "account_tier": "plus", "tls": {"verify": false}}]},
    "suppressed_sources": {"openai": ["env:OPENAI_API_KEY"], "groq": []}})";

  const Json out = rewrite(text, {AddRequestCount{"openai", "a", 2}});

  EXPECT_EQ(out["plugin_state"], Json::parse(R"({"x": [1, 2]})"));
  EXPECT_EQ(out["credential_pool"]["openai"][0]["account_tier"], "plus");
  EXPECT_EQ(out["credential_pool"]["openai"][0]["tls"], Json::parse(R"({"verify": false})"));
  EXPECT_EQ(out["suppressed_sources"], Json::parse(text)["suppressed_sources"]);
}

TEST(HermesTolerance, PrioritiesAreKeptAsWritten) {
  const std::string text = R"({"credential_pool": {"openai": [
    {"id": "a", "label": "a", "priority": 3, "source": "manual", "access_token": "sk-a-0123456789"},
    {"id": "b", "label": "b", "priority": 3, "source": "manual", "access_token": "sk-b-0123456789"},
    {"id": "c", "label": "c", "priority": 10, "source": "manual", "access_token": "sk-c-0123456789"}
  ]}})";

  const Json out = rewrite(text, {AddRequestCount{"openai", "b", 1}});

  const Json& rows = out["credential_pool"]["openai"];
  EXPECT_EQ(rows[0]["priority"], 3);
  EXPECT_EQ(rows[1]["priority"], 3);
  EXPECT_EQ(rows[2]["priority"], 10);
}

TEST(HermesTolerance, ANewRowGetsTheFieldsHermesWritesForOne) {
  core::Credential c;
  c.id = "n1";
  c.label = "new";
  c.access_token = core::Secret("sk-new-0123456789");
  c.base_url = "https://api.openai.com/v1";

  const Json out = rewrite(kTwoCaseLabels, {AddCredential{"openai", c, std::nullopt, true}});

  const Json& row = out["credential_pool"]["openai"][2];
  EXPECT_EQ(row["source"], "manual");
  EXPECT_EQ(row["request_count"], 0);
  EXPECT_EQ(row["base_url"], "https://api.openai.com/v1");
  EXPECT_EQ(row["priority"], 2);
}

constexpr const char* kOpenAiApi = R"({"credential_pool": {
  "openai-api": [{"id": "h1", "label": "hermes", "priority": 0, "source": "manual",
                  "access_token": "sk-h-0123456789"}],
  "openai": [{"id": "c1", "label": "credpool", "priority": 1, "source": "manual",
              "access_token": "sk-c-0123456789"}]},
  "suppressed_sources": {"openai-api": ["env:OPENAI_API_KEY"]}})";

TEST(HermesTolerance, OpenAiApiAndOpenAiRowsFormOnePool) {
  const Snapshot s = parse_ok(kOpenAiApi);

  ASSERT_EQ(s.pools.count("openai-api"), 0U);
  const PoolRecord& r = s.pools.at("openai");
  ASSERT_EQ(r.credentials.size(), 2U);
  EXPECT_EQ(home_pool_key(s, "openai"), "openai-api");
  EXPECT_EQ(r.suppressed_sources, std::vector<std::string>{"env:OPENAI_API_KEY"});
}

TEST(HermesTolerance, EachOpenAiRowStaysUnderItsKeyAndNewRowsGoToOpenAiApi) {
  core::Credential c;
  c.id = "n1";
  c.label = "new";
  c.access_token = core::Secret("sk-new-0123456789");
  c.source = "env:OPENAI_API_KEY_2";

  const Json out = rewrite(kOpenAiApi, {AddCredential{"openai", c, std::nullopt, false},
                                        AddRequestCount{"openai", "c1", 1}});

  const Json& pools = out["credential_pool"];
  ASSERT_EQ(pools["openai-api"].size(), 2U);
  EXPECT_EQ(pools["openai-api"][1]["id"], "n1");
  ASSERT_EQ(pools["openai"].size(), 1U);
  EXPECT_EQ(pools["openai"][0]["request_count"], 1);
  EXPECT_EQ(out["suppressed_sources"], Json::parse(kOpenAiApi)["suppressed_sources"]);
}

TEST(HermesTolerance, AFileWithOnlyOpenAiKeepsThatKey) {
  const Snapshot s = parse_ok(R"({"credential_pool": {"openai": [{"id": "a", "label": "a"}]}})");

  EXPECT_EQ(home_pool_key(s, "openai"), "openai");
}

TEST(HermesTolerance, ALegacyStrategyInAuthJsonIsReadButNeverWritten) {
  const std::string text =
      R"({"credential_pool": {"openai": []}, "credential_pool_strategies": {"openai": "random"}})";

  const Snapshot s = parse_ok(text);
  const Json out = rewrite(text, {SetStrategy{"openai", core::Strategy::LeastUsed}});

  EXPECT_EQ(s.pools.at("openai").strategy, core::Strategy::Random);
  EXPECT_EQ(out["credential_pool_strategies"]["openai"], "random");
}

TEST(HermesTolerance, EverySaveStampsUpdatedAtAndAnUnchangedFileIsNotSaved) {
  testing::TempHome home;
  testing::FakeClock clock(from_epoch(1789028100) + microseconds(123456));
  FileStore store(home.home(), std::chrono::seconds(1), &clock);
  core::Credential c;
  c.id = "a";
  c.label = "a";
  c.access_token = core::Secret("sk-a-0123456789");
  ASSERT_TRUE(store.apply(std::vector<Mutation>{AddCredential{"openai", c}}));
  const std::string first = testing::read_file(home.auth());

  clock.advance(std::chrono::seconds(5));
  ASSERT_TRUE(store.apply(std::vector<Mutation>{AddRequestCount{"openai", "zz", 1}}));
  const std::string unchanged = testing::read_file(home.auth());
  ASSERT_TRUE(store.apply(std::vector<Mutation>{AddRequestCount{"openai", "a", 1}}));

  EXPECT_EQ(Json::parse(first)["updated_at"], "2026-09-10T08:15:00.123456+00:00");
  EXPECT_EQ(unchanged, first);
  EXPECT_EQ(Json::parse(testing::read_file(home.auth()))["updated_at"],
            "2026-09-10T08:15:05.123456+00:00");
}

}  // namespace
}  // namespace credpool::store
