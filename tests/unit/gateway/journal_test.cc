#include "gateway/journal.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <unistd.h>

namespace credpool::gateway {
namespace {

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

JournalEvent mark(std::string id, std::string message = "slow down") {
  JournalEvent e;
  e.ts = kNoon;
  e.event = JournalKind::Mark;
  e.provider = "openai";
  e.credential_id = std::move(id);
  e.label = "openai-1";
  e.status = 429;
  e.reason = "rate_limit";
  e.error_code = "rate_limit_exceeded";
  e.message = std::move(message);
  e.resets_at = kNoon + std::chrono::seconds(60);
  e.reset_source = "provider";
  e.request_id = "req_1";
  return e;
}

nlohmann::json parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // one line
  return nlohmann::json::parse(line);
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TempHome : public ::testing::Test {
 protected:
  std::filesystem::path home_ = std::filesystem::temp_directory_path() /
                                ("credpool-journal-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { std::filesystem::remove_all(home_); }
  void TearDown() override { std::filesystem::remove_all(home_); }
};

TEST(JournalFormat, WritesEveryPinnedFieldOnOneLine) {
  const auto json = parse_line(format_journal_line(mark("a1")));

  EXPECT_EQ(json["ts"], 1'800'000'000);
  EXPECT_EQ(json["event"], "mark");
  EXPECT_EQ(json["provider"], "openai");
  EXPECT_EQ(json["credential_id"], "a1");
  EXPECT_EQ(json["label"], "openai-1");
  EXPECT_EQ(json["status"], 429);
  EXPECT_EQ(json["reason"], "rate_limit");
  EXPECT_EQ(json["error_code"], "rate_limit_exceeded");
  EXPECT_EQ(json["message"], "slow down");
  EXPECT_EQ(json["resets_at"], 1'800'000'060);
  EXPECT_EQ(json["reset_source"], "provider");
  EXPECT_EQ(json["request_id"], "req_1");
}

TEST(JournalFormat, EmptyValuesAreNull) {
  JournalEvent e;
  e.ts = kNoon;
  e.event = JournalKind::Fallback;
  e.provider = "openai";

  const auto json = parse_line(format_journal_line(e));

  EXPECT_EQ(json["event"], "fallback");
  for (const char* key : {"credential_id", "label", "status", "reason", "error_code", "message",
                          "resets_at", "reset_source", "request_id"}) {
    EXPECT_TRUE(json.contains(key)) << key;
    EXPECT_TRUE(json[key].is_null()) << key;
  }
}

TEST(JournalFormat, EachKindHasItsName) {
  const std::pair<JournalKind, std::string_view> rows[] = {
      {JournalKind::Mark, "mark"},       {JournalKind::Dead, "dead"},
      {JournalKind::Rotate, "rotate"},   {JournalKind::Fallback, "fallback"},
      {JournalKind::Refresh, "refresh"}, {JournalKind::Reset, "reset"},
      {JournalKind::Recover, "recover"}, {JournalKind::Probe, "probe"},
  };
  for (const auto& [kind, name] : rows) EXPECT_EQ(to_string(kind), name);
}

TEST(JournalFormat, MessageIsClippedTo300CharactersWithoutSplittingOne) {
  std::string long_message(299, 'x');
  long_message += "\xC3\xA9\xC3\xA9\xC3\xA9";  // é é é: 302 characters in all

  const auto json = parse_line(format_journal_line(mark("a1", long_message)));

  const std::string clipped = json["message"];
  EXPECT_EQ(clipped, std::string(299, 'x') + "\xC3\xA9");
}

TEST(JournalFormat, InvalidUtf8DoesNotThrow) {
  const auto json = parse_line(format_journal_line(mark("a1", "bad \xFF byte")));

  EXPECT_TRUE(json["message"].is_string());
}

TEST(JournalScrub, MasksEveryCopyOfTheSecret) {
  const std::string secret = "sk-test-secret-aaaa1234";

  const auto out = scrub_secret("key " + secret + " and again " + secret + ".", secret);

  EXPECT_EQ(out, "key sk-...1234 and again sk-...1234.");
  EXPECT_EQ(scrub_secret("nothing here", ""), "nothing here");
}

TEST_F(TempHome, AppendCreatesThePrivateFileAndReadFiltersByCredential) {
  JournalWriter writer(home_);

  ASSERT_TRUE(writer.append({mark("a1"), mark("b2"), mark("a1", "second")}));

  EXPECT_EQ(writer.path(), home_ / "events.jsonl");
  const auto perms = std::filesystem::status(writer.path()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto events = views::read_journal(home_, "openai", "a1", 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["message"], "slow down");
  EXPECT_EQ(events[1]["message"], "second");
  EXPECT_EQ(views::read_journal(home_, "openai", "", 10).size(), 3u);
  EXPECT_TRUE(views::read_journal(home_, "anthropic", "a1", 10).empty());
}

TEST_F(TempHome, ReadKeepsTheLastMaxEventsOldestFirst) {
  JournalWriter writer(home_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer.append({mark("a1", std::to_string(i))}));

  const auto events = views::read_journal(home_, "openai", "a1", 2);

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["message"], "3");
  EXPECT_EQ(events[1]["message"], "4");
}

TEST_F(TempHome, MissingJournalReadsEmptyAndBadLinesAreSkipped) {
  EXPECT_TRUE(views::read_journal(home_, "openai", "a1", 10).empty());
  std::filesystem::create_directories(home_);
  std::ofstream(home_ / "events.jsonl") << "not json\n[1]\n" << format_journal_line(mark("a1"));

  EXPECT_EQ(views::read_journal(home_, "openai", "a1", 10).size(), 1u);
}

TEST_F(TempHome, RotatesPastTheLimitKeepingThreeOldFiles) {
  const std::size_t line = format_journal_line(mark("a1", "0")).size();
  JournalWriter writer(home_, /*max_bytes=*/line * 2, /*keep=*/3);

  // Two lines fit per file: 10 lines make events.jsonl plus four full files, the oldest dropped.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(writer.append({mark("a1", std::to_string(i))}));

  const auto base = home_ / "events.jsonl";
  EXPECT_TRUE(std::filesystem::exists(base.string() + ".1"));
  EXPECT_TRUE(std::filesystem::exists(base.string() + ".3"));
  EXPECT_FALSE(std::filesystem::exists(base.string() + ".4"));
  EXPECT_LE(std::filesystem::file_size(base), line * 2);
  EXPECT_NE(read_all(base.string() + ".1").find("\"message\":\"7\""), std::string::npos);
  const auto events = views::read_journal(home_, "openai", "a1", 100);
  ASSERT_EQ(events.size(), 8u);  // 0 and 1 went with the oldest file
  EXPECT_EQ(events.front()["message"], "2");
  EXPECT_EQ(events.back()["message"], "9");
}

}  // namespace
}  // namespace credpool::gateway
