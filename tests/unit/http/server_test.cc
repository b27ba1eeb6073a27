#include "http/server.h"

#include <future>
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "unit/http/http_test_support.h"

namespace credpool::http {
namespace {

namespace asio = boost::asio;

using testing::base_url;
using testing::fetch;
using testing::Gate;
using testing::get;
using testing::Reply;

// Echoes the request line, the body and the connection id; streams on /stream.
asio::awaitable<void> echo(IncomingRequest& request, ResponseWriter& writer) {
  HeaderList headers{{"Content-Type", "text/plain"},
                     {"X-Connection", std::to_string(request.connection_id)}};
  std::string body = request.method + " " + request.target + " " + request.body;
  co_await writer.send(200, std::move(headers), std::move(body));
}

class ServerTest : public ::testing::Test {
 protected:
  void start(Handler handler, ServerOptions options = {}) {
    server_ = std::make_unique<Server>(runtime_, std::move(options), std::move(handler));
    const ListenResult bound = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok()) << bound.error;
    port_ = bound.port;
  }
  void SetUp() override {
    runtime_.start();
    auto made = make_upstream_client(runtime_, {});
    ASSERT_TRUE(made.client) << made.error;
    client_ = std::move(made.client);
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
    }
    client_.reset();
    server_.reset();
    runtime_.stop();
    runtime_.join();
  }
  Reply call(UpstreamRequest request) {
    return testing::run(runtime_, fetch(*client_, std::move(request)));
  }

  Runtime runtime_{2};
  std::unique_ptr<UpstreamClient> client_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerTest, AnswersARequestWithContentLength) {
  start(echo);
  UpstreamRequest request = get(base_url(port_) + "/hello?x=1");
  request.method = "POST";
  request.body = "ping";

  const Reply reply = call(request);

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "POST /hello?x=1 ping");
  EXPECT_EQ(find_header(reply.headers, "content-length"), "20");
  EXPECT_EQ(find_header(reply.headers, "transfer-encoding"), std::nullopt);
}

TEST_F(ServerTest, KeepsTheConnectionAliveBetweenRequests) {
  start(echo);

  const Reply first = call(get(base_url(port_) + "/a"));
  const Reply second = call(get(base_url(port_) + "/b"));

  ASSERT_TRUE(find_header(first.headers, "x-connection").has_value());
  EXPECT_EQ(find_header(first.headers, "x-connection"),
            find_header(second.headers, "x-connection"));
}

TEST_F(ServerTest, AnswersTooLargeBodiesWith413WithoutCallingTheHandler) {
  bool called = false;
  ServerOptions options;
  options.max_body_bytes = 1024;
  start(
      [&called](IncomingRequest& request, ResponseWriter& writer) -> asio::awaitable<void> {
        called = true;
        co_await echo(request, writer);
      },
      options);
  UpstreamRequest request = get(base_url(port_) + "/v1/chat/completions");
  request.method = "POST";
  request.body = std::string(4096, 'x');

  const Reply reply = call(request);

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body.find("request_too_large"), std::string::npos);
  EXPECT_FALSE(called);
}

TEST_F(ServerTest, FormatsThe413WithTheGivenFormatter) {
  ServerOptions options;
  options.max_body_bytes = 10;
  options.error_answer = [](ServerError error, const IncomingRequest& request) {
    return ErrorAnswer{{{"Content-Type", "text/plain"}},
                       std::string(to_string(error)) + ": " + request.target};
  };
  start(echo, options);
  UpstreamRequest request = get(base_url(port_) + "/v1/messages");
  request.method = "POST";
  request.body = std::string(100, 'x');

  const Reply reply = call(request);

  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body, "request_too_large: /v1/messages");
  EXPECT_EQ(find_header(reply.headers, "content-type"), "text/plain");
}

TEST_F(ServerTest, SendsEachChunkOfAStreamAtOnce) {
  Gate gate(runtime_);
  start([&gate](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    // GCC 12: a braced list across co_await fails ("array used as initializer").
    HeaderList headers{{"Content-Type", "text/event-stream"}};
    co_await writer.start_stream(200, std::move(headers));
    co_await writer.write_chunk("data: 1\n\n");
    co_await gate.wait();  // the client must see the first chunk before the second exists
    co_await writer.write_chunk("data: 2\n\n");
    co_await writer.finish_stream();
  });
  auto read_stream = [&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> pieces;
    auto [error, response] = co_await client_->send(get(base_url(port_) + "/stream"));
    if (!response) co_return pieces;
    pieces.push_back(
        std::string(find_header(response->headers(), "transfer-encoding").value_or("")));
    auto first = co_await response->read_some();
    pieces.push_back(first.value_or("<end>"));
    gate.open();
    while (auto piece = co_await response->read_some()) pieces.push_back(*piece);
    co_return pieces;
  };

  const auto pieces = testing::run(runtime_, read_stream());

  EXPECT_EQ(pieces, (std::vector<std::string>{"chunked", "data: 1\n\n", "data: 2\n\n"}));
}

TEST_F(ServerTest, Answers500WhenTheHandlerThrows) {
  std::string logged;
  ServerOptions options;
  options.log_error = [&logged](std::string_view line) { logged = std::string(line); };
  start(
      [](IncomingRequest&, ResponseWriter&) -> asio::awaitable<void> {
        throw std::runtime_error("boom");
        co_return;
      },
      options);

  const Reply reply = call(get(base_url(port_) + "/"));

  EXPECT_EQ(reply.status, 500);
  EXPECT_NE(logged.find("connection_id="), std::string::npos);
}

TEST_F(ServerTest, Answers500WhenTheHandlerDoesNotAnswer) {
  start([](IncomingRequest&, ResponseWriter&) -> asio::awaitable<void> { co_return; });

  const Reply reply = call(get(base_url(port_) + "/"));

  EXPECT_EQ(reply.status, 500);
}

TEST_F(ServerTest, StopClosesIdleKeptAliveConnections) {
  start(echo);
  const Reply reply = call(get(base_url(port_) + "/"));
  ASSERT_EQ(reply.status, 200);

  server_->stop();

  EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(ServerTest, StopCancelsAHandlerThatIsWaiting) {
  Gate never(runtime_);  // stands for an upstream call that never answers
  std::promise<void> waiting;
  start([&](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    waiting.set_value();
    co_await never.wait();
    co_await writer.send(200, HeaderList(), std::string("too late"));
  });
  auto reply = asio::co_spawn(runtime_.make_strand(), fetch(*client_, get(base_url(port_) + "/")),
                              asio::use_future);
  ASSERT_EQ(waiting.get_future().wait_for(testing::kTestDeadline), std::future_status::ready);

  server_->stop();

  EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
  ASSERT_EQ(reply.wait_for(testing::kTestDeadline), std::future_status::ready);
  EXPECT_NE(reply.get().error, UpstreamError::None);
}

TEST(ServerListen, FailsOnAPortInUse) {
  Runtime runtime(1);
  Server first(runtime, {}, echo);
  const ListenResult bound = first.listen("127.0.0.1", 0);
  ASSERT_TRUE(bound.ok()) << bound.error;
  Server second(runtime, {}, echo);

  const ListenResult again = second.listen("127.0.0.1", bound.port);

  EXPECT_FALSE(again.ok());
}

}  // namespace
}  // namespace credpool::http
