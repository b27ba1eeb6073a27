#include "store/auth_json.h"

#include <gtest/gtest.h>

#include "store/json_time.h"
#include "store/mutations.h"

namespace credpool::store {
namespace {

using core::from_epoch;
using Json = nlohmann::ordered_json;

// The example of reference §1.3 (Hermes Agent's layout), verbatim.
constexpr const char* kHermesExample = R"({
  "version": 1,
  "updated_at": "2026-09-10T08:15:00.123456+00:00",
  "active_provider": "openai-codex",
  "providers": {
    "openai-codex": {
      "tokens": { "access_token": "eyJ...A1", "refresh_token": "rt_A1" },
      "last_refresh": "2026-09-10T08:00:00Z",
      "label": "work@example.com"
    }
  },
  "credential_pool": {
    "openrouter": [
      {
        "id": "3fa9c1", "label": "OPENROUTER_API_KEY", "auth_type": "api_key", "priority": 0,
        "source": "env:OPENROUTER_API_KEY", "base_url": "https://openrouter.ai/api/v1",
        "secret_fingerprint": "sha256:12ab34cd56ef7890", "secret_source": "bitwarden",
        "request_count": 142,
        "last_status": "exhausted", "last_status_at": 1788000000.5, "last_error_code": 429,
        "last_error_reason": "rate_limit_exceeded", "last_error_message": "Rate limit exceeded",
        "last_error_reset_at": 1788000060.0, "failure_reason": "rate_limit"
      },
      {
        "id": "b71e02", "label": "backup-key", "auth_type": "api_key", "priority": 1,
        "source": "manual", "access_token": "sk-or-v1-DUMMY", "base_url": "https://openrouter.ai/api/v1",
        "request_count": 7,
        "last_status": "ok", "last_status_at": null, "last_error_code": null,
        "last_error_reason": null, "last_error_message": null, "last_error_reset_at": null
      }
    ],
    "openai-codex": [
      {
        "id": "c0dex1", "label": "work@example.com", "auth_type": "oauth", "priority": 0,
        "source": "device_code", "access_token": "eyJ...A1", "refresh_token": "rt_A1",
        "base_url": "https://chatgpt.com/backend-api/codex", "last_refresh": "2026-09-10T08:00:00Z",
        "last_status": "dead", "last_status_at": 1787990000.0, "last_error_code": 401,
        "last_error_reason": "token_invalidated", "last_error_message": "Your authentication token has been invalidated.",
        "last_error_reset_at": null
      }
    ],
    "anthropic": [
      {
        "id": "an7h01", "label": "personal", "auth_type": "api_key", "priority": 0,
        "source": "manual", "access_token": "sk-ant-api03-DUMMY",
        "model_cooldowns": { "claude-fable-5": 1788003600.0 },
        "status_cleared_at": 1787900000.0,
        "last_status": null, "last_status_at": null, "last_error_code": null,
        "last_error_reason": null, "last_error_message": null, "last_error_reset_at": null
      }
    ],
    "custom:together.ai": [
      {
        "id": "t0g3th", "label": "Together.ai", "auth_type": "api_key", "priority": 0,
        "source": "config:Together.ai", "base_url": "https://api.together.xyz/v1",
        "secret_fingerprint": "sha256:0011223344556677",
        "last_status": null, "last_status_at": null, "last_error_code": null,
        "last_error_reason": null, "last_error_message": null, "last_error_reset_at": null
      }
    ]
  },
  "suppressed_sources": { "openrouter": ["env:OPENROUTER_API_KEY_2"] }
})";

Snapshot parse_ok(const std::string& text) {
  auto doc = parse_auth_json(text, "/h/auth.json");
  EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().message);
  return doc ? doc->snapshot : Snapshot{};
}

const core::Credential& row(const Snapshot& s, const std::string& pool, std::size_t i) {
  return s.pools.at(pool).credentials.at(i);
}

TEST(AuthJson, HermesExampleLoadsEveryPool) {
  const Snapshot s = parse_ok(kHermesExample);

  ASSERT_EQ(s.pools.size(), 4u);
  EXPECT_EQ(s.pools.at("openrouter").credentials.size(), 2u);
  EXPECT_EQ(s.pools.at("openrouter").suppressed_sources,
            std::vector<std::string>{"env:OPENROUTER_API_KEY_2"});
}

TEST(AuthJson, HermesRateLimitedRowKeepsProviderResetAndReason) {
  const Snapshot snapshot = parse_ok(kHermesExample);
  const core::Credential& c = row(snapshot, "openrouter", 0);

  ASSERT_TRUE(c.exhaustion.has_value());
  EXPECT_EQ(c.exhaustion->status_code, 429);
  EXPECT_EQ(c.exhaustion->reason, core::FailureReason::RateLimit);
  EXPECT_EQ(c.exhaustion->error_code, "rate_limit_exceeded");
  EXPECT_EQ(c.exhaustion->at, from_epoch(1788000000) + std::chrono::milliseconds(500));
  EXPECT_EQ(c.exhaustion->resets_at, from_epoch(1788000060));
  EXPECT_EQ(c.exhaustion->reset_source, core::ResetSource::Provider);
  EXPECT_EQ(c.request_count, 142u);
}

TEST(AuthJson, BorrowedRowLoadsWithoutSecretButWithFingerprint) {
  const Snapshot s = parse_ok(kHermesExample);

  EXPECT_TRUE(row(s, "openrouter", 0).access_token.empty());
  EXPECT_EQ(s.pools.at("openrouter").fingerprints.at("3fa9c1"), "sha256:12ab34cd56ef7890");
}

TEST(AuthJson, HermesOwnedDeviceCodeRowKeepsItsTokensAndIsDead) {
  const Snapshot snapshot = parse_ok(kHermesExample);
  const core::Credential& c = row(snapshot, "openai-codex", 0);

  EXPECT_EQ(c.access_token.reveal(), "eyJ...A1");
  EXPECT_EQ(c.refresh_token.reveal(), "rt_A1");
  ASSERT_TRUE(c.exhaustion.has_value());
  EXPECT_TRUE(c.exhaustion->dead);
  EXPECT_EQ(c.exhaustion->reason, core::FailureReason::Auth);
}

TEST(AuthJson, ModelCooldownsAndStatusClearedAtLoad) {
  const Snapshot snapshot = parse_ok(kHermesExample);
  const core::Credential& c = row(snapshot, "anthropic", 0);

  EXPECT_EQ(c.model_cooldowns.at("claude-fable-5"), from_epoch(1788003600));
  EXPECT_EQ(c.status_cleared_at, from_epoch(1787900000));
  EXPECT_FALSE(c.exhaustion.has_value());
}

TEST(AuthJson, RewriteWithoutChangesKeepsTheDocumentValueForValue) {
  auto doc = parse_auth_json(kHermesExample, "auth.json");
  ASSERT_TRUE(doc);

  const std::string text = render_auth_json(doc->raw, doc->snapshot);

  EXPECT_EQ(Json::parse(text), Json::parse(kHermesExample));
}

TEST(AuthJson, RewriteAfterAChangeKeepsUnknownFieldsAndOtherPools) {
  auto doc = parse_auth_json(kHermesExample, "auth.json");
  ASSERT_TRUE(doc);
  apply_mutation(doc->snapshot, AddRequestCount{.pool = "openrouter", .id = "b71e02", .delta = 3});

  const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

  const Json in = Json::parse(kHermesExample);
  EXPECT_EQ(out["credential_pool"]["openrouter"][1]["request_count"], 10);
  EXPECT_EQ(out["credential_pool"]["openrouter"][0]["secret_source"], "bitwarden");
  EXPECT_EQ(out["credential_pool"]["openrouter"][0]["last_status_at"], 1788000000.5);
  EXPECT_EQ(out["credential_pool"]["openai-codex"], in["credential_pool"]["openai-codex"]);
  EXPECT_EQ(out["providers"], in["providers"]);
  EXPECT_EQ(out["active_provider"], "openai-codex");
  EXPECT_EQ(out["updated_at"], in["updated_at"]);
}

TEST(AuthJson, OldRowWithOnlyLastStatusGetsTheDefaultResetForItsStatus) {
  struct Case {
    int status;
    core::FailureReason reason;
    long long cooldown;
  };
  for (const Case& c :
       {Case{429, core::FailureReason::RateLimit, 3600},
        Case{402, core::FailureReason::Quota, 3600}, Case{401, core::FailureReason::Auth, 300},
        Case{403, core::FailureReason::Forbidden, 3600},
        Case{500, core::FailureReason::Server, 3600}}) {
    SCOPED_TRACE(c.status);
    const std::string text = R"({"credential_pool": {"openai": [{"id": "a1", "label": "k",
        "source": "manual", "access_token": "sk-x", "last_status": "exhausted",
        "last_status_at": 1000, "last_error_code": )" +
                             std::to_string(c.status) + "}]}}";

    const Snapshot snapshot = parse_ok(text);
    const core::Credential& cred = row(snapshot, "openai", 0);

    ASSERT_TRUE(cred.exhaustion.has_value());
    EXPECT_EQ(cred.exhaustion->reason, c.reason);
    EXPECT_EQ(cred.exhaustion->resets_at, from_epoch(1000 + c.cooldown));
    EXPECT_EQ(cred.exhaustion->reset_source, core::ResetSource::Default);
  }
}

// Found with the auth_json fuzz target (corpus huge_*): such rows were UB or changed meaning
// when rewritten.
TEST(AuthJson, OutOfRangeNumbersInARowReadAsAbsentOrClamped) {
  struct Case {
    std::string fields;
    long long request_count;
    int failure_streak;
    bool has_exhaustion;
  };
  const Case cases[] = {
      {R"("request_count": 1e30)", 0, 0, false},
      {R"("failure_streak": 4294967295)", 0, 2147483647, false},
      {R"("failure_streak": -1e300)", 0, 0, false},
      {R"("last_status": "exhausted", "last_status_at": 9223372036854775807)", 0, 0, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fields);
    const std::string text =
        R"({"credential_pool": {"openai": [{"id": "a1", "priority": 1e300, )" + c.fields + "}]}}";

    const Snapshot snapshot = parse_ok(text);
    const Snapshot again = parse_ok(render_auth_json(Json::object(), snapshot));

    const core::Credential& cred = row(snapshot, "openai", 0);
    EXPECT_EQ(cred.request_count, static_cast<std::uint64_t>(c.request_count));
    EXPECT_EQ(cred.failure_streak, c.failure_streak);
    EXPECT_EQ(row(again, "openai", 0).failure_streak, c.failure_streak);
    ASSERT_EQ(cred.exhaustion.has_value(), c.has_exhaustion);
    if (c.has_exhaustion) {
      EXPECT_EQ(cred.exhaustion->at, core::WallTime{});
    }
  }
}

TEST(AuthJson, HermesBillingReasonReadsAsQuotaAndIsWrittenBackAsIs) {
  const std::string text = R"({"credential_pool": {"openai": [{"id": "a1", "label": "k",
      "source": "manual", "access_token": "sk-x", "last_status": "exhausted",
      "last_status_at": 1000, "last_error_code": 429, "failure_reason": "billing"}]}})";
  auto doc = parse_auth_json(text, "auth.json");
  ASSERT_TRUE(doc);

  const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

  EXPECT_EQ(row(doc->snapshot, "openai", 0).exhaustion->reason, core::FailureReason::Quota);
  EXPECT_EQ(out["credential_pool"]["openai"][0]["failure_reason"], "billing");
}

TEST(AuthJson, IsoTimesAreAcceptedAndExpiresAtStaysIso) {
  const std::string text = R"({"credential_pool": {"nous": [{"id": "n1", "label": "n",
      "source": "manual:device_code", "access_token": "t", "expires_at": "2026-09-10T08:00:00Z",
      "last_status": "exhausted", "last_status_at": "2026-09-10T07:00:00+00:00"}]}})";
  auto doc = parse_auth_json(text, "auth.json");
  ASSERT_TRUE(doc);
  const core::WallTime expiry = *parse_iso8601("2026-09-10T08:00:00Z");
  doc->snapshot.pools["nous"].credentials[0].expires_at = expiry + std::chrono::hours{1};

  const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

  EXPECT_EQ(row(doc->snapshot, "nous", 0).exhaustion->at, expiry - std::chrono::hours{1});
  EXPECT_EQ(out["credential_pool"]["nous"][0]["expires_at"], "2026-09-10T09:00:00Z");
}

TEST(AuthJson, BorrowedRowIsWrittenWithFingerprintAndNoSecret) {
  Snapshot s;
  core::Credential c;
  c.id = "e1";
  c.label = "OPENAI_API_KEY";
  c.source = "env:OPENAI_API_KEY";
  c.access_token = core::Secret("sk-live-secret-value");
  s.pools["openai"].credentials.push_back(c);

  const std::string text = render_auth_json(Json::object(), s);

  EXPECT_EQ(text.find("sk-live-secret-value"), std::string::npos);
  EXPECT_EQ(Json::parse(text)["credential_pool"]["openai"][0]["secret_fingerprint"],
            secret_fingerprint("sk-live-secret-value"));
}

TEST(AuthJson, LegacyRawSecretOnABorrowedRowIsStrippedOnRewrite) {
  const std::string text = R"({"credential_pool": {"openai": [{"id": "e1", "label": "E",
      "source": "env:OPENAI_API_KEY", "access_token": "sk-legacy", "api_key": "sk-legacy",
      "token_type": "bearer"}]}})";
  auto doc = parse_auth_json(text, "auth.json");
  ASSERT_TRUE(doc);

  const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

  const Json& r = out["credential_pool"]["openai"][0];
  EXPECT_FALSE(r.contains("access_token"));
  EXPECT_FALSE(r.contains("api_key"));
  EXPECT_EQ(r["token_type"], "bearer");
}

TEST(AuthJson, FingerprintIsSha256PrefixOfSixteenHexDigits) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
  EXPECT_EQ(secret_fingerprint("abc"), "sha256:ba7816bf8f01cfea");
}

TEST(AuthJson, LegacySuppressedDictMigratesToAList) {
  const std::string text = R"({"suppressed_sources": {"openai": {"env:OPENAI_API_KEY": true}}})";
  auto doc = parse_auth_json(text, "auth.json");
  ASSERT_TRUE(doc);

  const Json out = Json::parse(render_auth_json(doc->raw, doc->snapshot));

  EXPECT_EQ(out["suppressed_sources"]["openai"], Json::array({"env:OPENAI_API_KEY"}));
}

TEST(AuthJson, CursorsAndNewFieldsRoundTripAndStrategiesAreNotWritten) {
  Snapshot s;
  core::Credential c;
  c.id = "m1";
  c.label = "main";
  c.access_token = core::Secret("sk-main-0123456789");
  c.failure_streak = 2;
  c.last_used_at = from_epoch(5000);
  core::Exhaustion e;
  e.status_code = 402;
  e.reason = core::FailureReason::Quota;
  e.error_code = "insufficient_quota";
  e.message = "spent";
  e.at = from_epoch(4000);
  e.resets_at = from_epoch(7600);
  e.reset_source = core::ResetSource::Default;
  c.exhaustion = e;
  s.pools["openai"].credentials.push_back(c);
  s.pools["openai"].strategy = core::Strategy::RoundRobin;
  s.pools["openai"].cursor_id = "m1";

  const Snapshot back = parse_ok(render_auth_json(Json::object(), s));

  const core::Credential& r = row(back, "openai", 0);
  EXPECT_FALSE(back.pools.at("openai").strategy.has_value());  // config.yaml's, DESIGN.md
  EXPECT_EQ(back.pools.at("openai").cursor_id, "m1");
  EXPECT_EQ(r.failure_streak, 2);
  EXPECT_EQ(r.last_used_at, from_epoch(5000));
  ASSERT_TRUE(r.exhaustion.has_value());
  EXPECT_EQ(r.exhaustion->reason, core::FailureReason::Quota);
  EXPECT_EQ(r.exhaustion->resets_at, from_epoch(7600));
  EXPECT_EQ(r.exhaustion->reset_source, core::ResetSource::Default);
  EXPECT_EQ(r.access_token.reveal(), "sk-main-0123456789");
}

TEST(AuthJson, ParseErrorNamesPathLineAndColumn) {
  const auto doc = parse_auth_json("{\n  \"version\": 1,\n  oops\n}", "/h/auth.json");

  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::Corrupt);
  EXPECT_EQ(doc.error().message.rfind("/h/auth.json: line 3, column 3: ", 0), 0u)
      << doc.error().message;
}

TEST(AuthJson, WrongShapesAreCorrupt) {
  for (const char* text :
       {"[1, 2]", R"({"credential_pool": []})", R"({"credential_pool": {"openai": {}}})",
        R"({"credential_pool": {"openai": [3]}})"}) {
    SCOPED_TRACE(text);
    const auto doc = parse_auth_json(text, "/h/auth.json");

    ASSERT_FALSE(doc.has_value());
    EXPECT_EQ(doc.error().code, ErrorCode::Corrupt);
  }
}

TEST(AuthJson, RowsWithoutIdGetTheSameDerivedIdOnEveryLoad) {
  const std::string text = R"({"credential_pool": {"openai": [{"label": "a"}, {"label": "b"}]}})";

  const Snapshot first = parse_ok(text);
  const Snapshot second = parse_ok(text);

  EXPECT_EQ(row(first, "openai", 0).id, row(second, "openai", 0).id);
  EXPECT_NE(row(first, "openai", 0).id, row(first, "openai", 1).id);
  EXPECT_EQ(row(first, "openai", 0).id.size(), 6u);
}

TEST(JsonTime, ReadsEpochFloatsNumericStringsAndIso) {
  struct Case {
    Json value;
    std::optional<long long> expected;
  };
  const Case cases[] = {
      {Json(1788000000), 1788000000},
      {Json(1788000000.9), 1788000000},
      {Json("1788000000.5"), 1788000000},
      {Json("2026-09-10T08:15:00.123456+00:00"), 1789028100},
      {Json("2026-09-10T10:15:00+02:00"), 1789028100},
      {Json("2026-09-10T08:15:00"), 1789028100},
      {Json("2026-09-10T08:15:00Z"), 1789028100},
      {Json("soon"), std::nullopt},
      {Json(nullptr), std::nullopt},
      {Json("2026-02-30T00:00:00Z"), std::nullopt},
      // Outside years 0000-9999 (found with the auth_json fuzz target: adding a cooldown
      // overflowed).
      {Json(99999999999), 99999999999},  // up to 1e11: seconds
      {Json(253402300799), 253402300},   // above: milliseconds
      {Json(1788000000123), 1788000000},
      {Json(1788000000123.0), 1788000000},
      {Json("1788000000123"), 1788000000},
      {Json(2e14), 200000000000},
      {Json(1e17), std::nullopt},
      {Json(9223372036854775807), std::nullopt},
      {Json(18446744073709551615ull), std::nullopt},
      {Json(-62167219201), std::nullopt},
      {Json(1e300), std::nullopt},
      {Json("0000-01-01T00:00:00+01:00"), std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value.dump());

    const auto t = read_json_time(c.value);

    if (c.expected) {
      ASSERT_TRUE(t.has_value());
      EXPECT_EQ(core::to_epoch(*t), *c.expected);
    } else {
      EXPECT_FALSE(t.has_value());
    }
  }
}

TEST(JsonTime, FormatsUtcIso) {
  EXPECT_EQ(format_iso8601(from_epoch(1789028100)), "2026-09-10T08:15:00Z");
}

}  // namespace
}  // namespace credpool::store
