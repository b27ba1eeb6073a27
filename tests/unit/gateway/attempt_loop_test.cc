// Drives the real attempt path (run_attempts executing the core ledger's actions) against a
// scripted upstream client and a recording response writer: no sockets, a fake clock.
#include "gateway/attempt_loop.h"

#include <deque>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "store/memory_store.h"
#include "support/fake_clock.h"

namespace credpool::gateway {
namespace {
namespace asio = boost::asio;

const core::WallTime kNoon = core::from_epoch(1'800'000'000);

// One scripted upstream answer: a transport error, or a status, headers and body.
struct Scripted {
  http::UpstreamError error = http::UpstreamError::None;
  int status = 200;
  core::HeaderList headers = {{"content-type", "application/json"}};
  std::string body = R"({"id":"ok"})";
};

class ScriptedResponse final : public http::UpstreamResponse {
 public:
  ScriptedResponse(const Scripted& s) : UpstreamResponse(s.status, s.headers), body_(s.body) {}
  asio::awaitable<std::optional<std::string>> read_some() override {
    if (done_) co_return std::nullopt;
    done_ = true;
    if (body_.empty()) co_return std::nullopt;
    co_return body_;
  }
  http::UpstreamError error() const override { return http::UpstreamError::None; }

 private:
  std::string body_;
  bool done_ = false;
};

// Answers each send with the next scripted answer and records what was sent.
class ScriptedUpstream final : public http::UpstreamClient {
 public:
  std::deque<Scripted> script;
  std::vector<http::UpstreamRequest> sent;

  asio::awaitable<http::UpstreamResult> send(http::UpstreamRequest request) override {
    sent.push_back(request);
    Scripted next = script.empty() ? Scripted{} : script.front();
    if (!script.empty()) script.pop_front();
    if (next.error != http::UpstreamError::None)
      co_return http::UpstreamResult{next.error, nullptr};
    co_return http::UpstreamResult{http::UpstreamError::None,
                                   std::make_unique<ScriptedResponse>(next)};
  }
};

// Records what the gateway answered.
class RecordingWriter final : public http::ResponseWriter {
 public:
  int status = 0;
  http::HeaderList headers;
  std::string body;
  bool streamed = false;
  bool finished = false;

  asio::awaitable<bool> send(int s, http::HeaderList h, std::string b) override {
    status = s;
    headers = std::move(h);
    body = std::move(b);
    co_return true;
  }
  asio::awaitable<bool> start_stream(int s, http::HeaderList h) override {
    status = s;
    headers = std::move(h);
    streamed = true;
    co_return true;
  }
  asio::awaitable<bool> write_chunk(std::string_view data) override {
    body += data;
    co_return true;
  }
  asio::awaitable<bool> finish_stream() override {
    finished = true;
    co_return true;
  }
  bool started() const override { return status != 0; }

  std::string header(std::string_view name) const {
    auto v = http::find_header(headers, name);
    return v ? std::string(*v) : std::string();
  }
};

core::Credential key(std::string id, int priority) {
  core::Credential c;
  c.id = id;
  c.label = "openai-" + id;
  c.priority = priority;
  c.access_token = core::Secret("sk-test-" + id + "-000000000");
  return c;
}

Scripted error(int status, std::string body, core::HeaderList headers = {}) {
  headers.emplace_back("content-type", "application/json");
  return Scripted{http::UpstreamError::None, status, std::move(headers), std::move(body)};
}

class AttemptLoopTest : public ::testing::Test {
 protected:
  void start(std::vector<core::Credential> credentials) {
    store::Snapshot snapshot;
    snapshot.pools["openai"].credentials = std::move(credentials);
    store_ = std::make_unique<store::MemoryStore>(snapshot);
    service_ = std::make_unique<CredentialService>(
        *store_, clock_, std::map<std::string, core::Strategy>{}, nullptr);
    service_->start(*store_->load());
    config_.providers["openai"].base_url = "http://upstream.test/v1";
  }
  void TearDown() override {
    if (service_) service_->stop();
  }

  // Runs one chat request through run_attempts and returns what the client received.
  RecordingWriter run(std::string model = "gpt-4o") {
    http::IncomingRequest request;
    request.method = "POST";
    request.target = "/v1/chat/completions";
    request.headers = {{"content-type", "application/json"}};
    request.body = R"({"model":")" + model + R"(","messages":[]})";
    ProxyRequest proxy{providers::Wire::OpenAI, false, model, "req_test"};
    RecordingWriter writer;
    AttemptDeps deps{config_, *service_, upstream_, metrics_, clock_, nullptr};
    asio::io_context io;
    auto done = asio::co_spawn(io, run_attempts(deps, request, proxy, writer), asio::use_future);
    io.run();
    outcome_ = done.get();
    return writer;
  }

  std::optional<core::Credential> stored(const std::string& id) {
    service_->sync();
    const store::Snapshot snapshot = *store_->load();  // a copy: load() returns a temporary
    for (const auto& c : snapshot.pools.at("openai").credentials) {
      if (c.id == id) return c;
    }
    return std::nullopt;
  }

  config::Config config_;
  testing::FakeClock clock_{kNoon};
  std::unique_ptr<store::MemoryStore> store_;
  std::unique_ptr<CredentialService> service_;
  ScriptedUpstream upstream_;
  Metrics metrics_;
  ProxyOutcome outcome_;
};

TEST_F(AttemptLoopTest, RateLimitRotatesToTheSiblingAndMarksOnlyTheFirstKey) {
  start({key("a", 0), key("b", 1)});
  upstream_.script = {error(429, R"({"error":{"message":"Rate limit reached","type":"requests"}})",
                            {{"retry-after", "30"}}),
                      Scripted{}};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 200);
  EXPECT_EQ(w.header("x-credpool-credential"), "openai-b");
  EXPECT_TRUE(stored("a")->exhaustion.has_value());
  EXPECT_FALSE(stored("b")->exhaustion.has_value());
  EXPECT_EQ(outcome_.attempts, 2);
}

TEST_F(AttemptLoopTest, BadRequestIsPassedThroughUnchangedAndMarksNothing) {
  start({key("a", 0), key("b", 1)});
  const std::string body =
      R"({"error":{"message":"Invalid image URL","code":"invalid_image_url"}})";
  upstream_.script = {error(400, body)};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 400);
  EXPECT_EQ(w.body, body);
  EXPECT_FALSE(stored("a")->exhaustion.has_value());
  EXPECT_EQ(upstream_.sent.size(), 1u);
}

TEST_F(AttemptLoopTest, SoftFailureOfABadImageUrlIsTheClientsAnswerNotARotation) {
  start({key("a", 0), key("b", 1)});
  const std::string body =
      R"({"id":"resp_1","status":"failed","error":{"code":"invalid_image_url","message":"Error while downloading https://x/y.png."}})";
  upstream_.script = {error(200, body)};

  const RecordingWriter w = run();

  EXPECT_EQ(upstream_.sent.size(), 1u);
  EXPECT_EQ(w.body, body);
  EXPECT_FALSE(stored("a")->exhaustion.has_value());
}

TEST_F(AttemptLoopTest, UnrecognisedFailureIsPassedThroughUnmarked) {
  start({key("a", 0), key("b", 1)});
  upstream_.script = {error(418, R"({"error":{"message":"I am a teapot"}})")};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 418);
  EXPECT_FALSE(stored("a")->exhaustion.has_value());
}

TEST_F(AttemptLoopTest, EmptyPoolAnswers503CredentialsMissingNamingTheCommand) {
  start({});

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 503);
  EXPECT_NE(w.body.find("credentials_missing"), std::string::npos);
  EXPECT_NE(w.body.find("credpool auth add openai"), std::string::npos);
  EXPECT_EQ(w.header("retry-after"), "");
  EXPECT_TRUE(upstream_.sent.empty());
}

TEST_F(AttemptLoopTest, EveryKeySpentAnswers429WithRetryAfterOfTheFirstReset) {
  start({key("a", 0), key("b", 1)});
  upstream_.script = {error(429, R"({"error":{"message":"slow down"}})", {{"retry-after", "30"}}),
                      error(429, R"({"error":{"message":"slow down"}})", {{"retry-after", "90"}})};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 429);
  EXPECT_NE(w.body.find("credentials_exhausted"), std::string::npos);
  EXPECT_EQ(w.header("retry-after"), "30");
}

TEST_F(AttemptLoopTest, UpstreamTimeoutAnswers504AfterOneAttempt) {
  start({key("a", 0), key("b", 1)});
  upstream_.script = {Scripted{http::UpstreamError::Timeout}};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 504);
  EXPECT_EQ(upstream_.sent.size(), 1u);
  EXPECT_FALSE(stored("a")->exhaustion.has_value());
}

TEST_F(AttemptLoopTest, RedirectIsPassedThroughUnmarked) {
  start({key("a", 0), key("b", 1)});
  upstream_.script = {error(302, "", {{"location", "https://elsewhere.test/"}})};

  const RecordingWriter w = run();

  EXPECT_EQ(w.status, 302);
  EXPECT_EQ(w.header("location"), "https://elsewhere.test/");
  EXPECT_FALSE(stored("a")->exhaustion.has_value());
}

}  // namespace
}  // namespace credpool::gateway
