// The server's limits, each at and just past its value (STYLE.md §6): body, head, header
// timeout, idle keep-alive, connections; plus HEAD and the graceful drain.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "http/server.h"
#include "unit/http/http_test_support.h"
#include "unit/http/raw_client.h"

namespace credpool::http {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;
using testing::base_url;
using testing::fetch;
using testing::Gate;
using testing::RawClient;
using testing::RawResponse;
using testing::Reply;

constexpr std::size_t kMiB = 1u << 20;

// Answers with the size of the body it received and the connection id.
asio::awaitable<void> size_of_body(IncomingRequest& request, ResponseWriter& writer) {
  HeaderList headers{{"Content-Type", "text/plain"},
                     {"X-Connection", std::to_string(request.connection_id)}};
  co_await writer.send(200, std::move(headers), std::to_string(request.body.size()));
}

// Returns a GET request whose head is exactly `size` bytes (padded with one header field).
std::string head_of_size(std::size_t size) {
  const std::string start = "GET /padded HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  return start + std::string(size - start.size() - end.size(), 'a') + end;
}

class ServerLimits : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}, Handler handler = size_of_body) {
    options.log_error = [](std::string_view) {};
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
  Reply post(std::size_t body_bytes) {
    UpstreamRequest request = testing::get(base_url(port_) + "/v1/chat/completions");
    request.method = "POST";
    request.body = std::string(body_bytes, 'x');
    return testing::run(runtime_, fetch(*client_, std::move(request)));
  }
  // Polls until the server counts `n` open connections; false after the test deadline.
  bool wait_for_open(std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + testing::kTestDeadline;
    while (server_->open_connections() != n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  Runtime runtime_{2};
  std::unique_ptr<UpstreamClient> client_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerLimits, ServesATwoMebibyteBodyUnderTheDefaultLimit) {
  start();

  const Reply reply = post(2 * kMiB);

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, std::to_string(2 * kMiB));
}

TEST_F(ServerLimits, ServesABodyOfExactlyMaxBodyBytes) {
  ServerOptions options;
  options.max_body_bytes = 3 * kMiB;  // above Beast's own 1 MiB default
  start(options);

  const Reply reply = post(3 * kMiB);

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, std::to_string(3 * kMiB));
}

TEST_F(ServerLimits, AnswersABodyOneByteOverMaxBodyBytesWith413) {
  std::atomic<bool> called{false};
  ServerOptions options;
  options.max_body_bytes = 3 * kMiB;
  start(options, [&called](IncomingRequest& request, ResponseWriter& writer) {
    called = true;
    return size_of_body(request, writer);
  });

  const Reply reply = post(3 * kMiB + 1);

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body.find("\"code\":\"request_too_large\""), std::string::npos) << reply.body;
  EXPECT_FALSE(called);
}

TEST_F(ServerLimits, KeepsTheBodyLimitOnAKeptAliveConnection) {
  start();

  const Reply small = post(10);
  const Reply large = post(2 * kMiB);

  EXPECT_EQ(large.status, 200);
  EXPECT_EQ(large.body, std::to_string(2 * kMiB));
  EXPECT_EQ(find_header(small.headers, "x-connection"), find_header(large.headers, "x-connection"));
}

TEST_F(ServerLimits, AnswersAChunkedBodyOverTheLimitWith413) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  start(options);
  RawClient client(port_);
  const std::string chunk(600, 'x');

  ASSERT_TRUE(
      client.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "258\r\n" +
                  chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
  const RawResponse response = client.read_response();

  EXPECT_EQ(response.status, 413);
  EXPECT_NE(response.body.find("request_too_large"), std::string::npos) << response.body;
}

TEST_F(ServerLimits, ServesAHeadOfExactlyMaxHeaderBytes) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  start(options);
  RawClient client(port_);

  ASSERT_TRUE(client.send(head_of_size(4096)));
  const RawResponse response = client.read_response();

  EXPECT_EQ(response.status, 200) << response.head;
}

TEST_F(ServerLimits, AnswersAHeadOneByteOverMaxHeaderBytesWith431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  start(options);
  RawClient client(port_);

  ASSERT_TRUE(client.send(head_of_size(4097)));
  const RawResponse response = client.read_response();

  EXPECT_EQ(response.status, 431) << response.head;
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_NE(response.body.find("\"code\":\"headers_too_large\""), std::string::npos);
}

TEST_F(ServerLimits, AnswersAMebibyteOfHeadersWith431UnderTheDefaultLimit) {
  start();
  RawClient client(port_);

  // The server answers after 64 KiB and keeps reading, so the whole send goes through.
  ASSERT_TRUE(client.send(head_of_size(kMiB)));
  const RawResponse response = client.read_response();

  EXPECT_EQ(response.status, 431) << response.head;
}

TEST_F(ServerLimits, AnswersASilentConnectionWith408AfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = seconds(1);
  start(options);
  RawClient client(port_);
  const auto connected = std::chrono::steady_clock::now();

  const RawResponse response = client.read_response();

  const auto waited = std::chrono::steady_clock::now() - connected;
  EXPECT_EQ(response.status, 408) << response.head;
  EXPECT_NE(response.body.find("\"code\":\"request_timeout\""), std::string::npos);
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, seconds(5));
  EXPECT_TRUE(client.closed_without_more());
}

TEST_F(ServerLimits, AnswersAHeadThatNeverEndsWith408) {
  ServerOptions options;
  options.header_timeout = seconds(1);
  start(options);
  RawClient client(port_);

  ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\nHost: x\r\nX-Drip: a"));
  const RawResponse response = client.read_response();

  EXPECT_EQ(response.status, 408) << response.head;
}

TEST_F(ServerLimits, ClosesAnIdleKeptAliveConnectionQuietly) {
  ServerOptions options;
  options.idle_timeout = seconds(1);
  options.header_timeout = seconds(30);
  start(options);
  RawClient client(port_);
  ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(client.read_response().status, 200);

  EXPECT_TRUE(client.closed_without_more());  // no 408: the client asked for nothing
}

TEST_F(ServerLimits, AnswersOneConnectionOverMaxConnectionsWith503AndRetryAfter) {
  ServerOptions options;
  options.max_connections = 2;
  start(options);
  RawClient first(port_);
  RawClient second(port_);
  ASSERT_TRUE(wait_for_open(2));
  RawClient third(port_);

  ASSERT_TRUE(third.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"));
  const RawResponse response = third.read_response();

  EXPECT_EQ(response.status, 503) << response.head;
  EXPECT_EQ(response.header("retry-after"), "1");
  EXPECT_NE(response.body.find("\"code\":\"overloaded\""), std::string::npos);
  EXPECT_TRUE(third.closed_without_more());
}

TEST_F(ServerLimits, ServesAgainOnceAConnectionUnderTheCapCloses) {
  ServerOptions options;
  options.max_connections = 1;
  start(options);
  {
    RawClient first(port_);
    ASSERT_TRUE(wait_for_open(1));
  }
  ASSERT_TRUE(wait_for_open(0));
  RawClient next(port_);

  ASSERT_TRUE(next.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));

  EXPECT_EQ(next.read_response().status, 200);
}

// Answers "hello" (or a two-chunk stream on /stream) with the method it saw in a header.
asio::awaitable<void> hello(IncomingRequest& request, ResponseWriter& writer) {
  HeaderList headers{{"Content-Type", "text/plain"}, {"X-Method", request.method}};
  if (request.target == "/stream") {
    co_await writer.start_stream(200, std::move(headers));
    co_await writer.write_chunk("hel");
    co_await writer.write_chunk("lo");
    co_await writer.finish_stream();
    co_return;
  }
  co_await writer.send(200, std::move(headers), std::string("hello"));
}

TEST_F(ServerLimits, AnswersHeadWithTheHeadersOfGetAndNoBody) {
  start({}, hello);
  RawClient client(port_);

  ASSERT_TRUE(
      client.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const RawResponse head = client.read_response(/*head_request=*/true);
  const RawResponse get = client.read_response();

  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "5");
  EXPECT_EQ(head.header("x-method"), "HEAD");
  EXPECT_EQ(get.status, 200) << get.head;  // no body came between the two heads
  EXPECT_EQ(get.body, "hello");
}

TEST_F(ServerLimits, AnswersHeadOfAStreamWithoutChunksAndKeepsTheConnection) {
  start({}, hello);
  RawClient client(port_);

  ASSERT_TRUE(
      client.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const RawResponse head = client.read_response(/*head_request=*/true);
  const RawResponse get = client.read_response();

  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(get.status, 200) << get.head;
  EXPECT_EQ(get.body, "hello");
}

TEST_F(ServerLimits, DrainRefusesNewConnectionsAndLetsARequestUnderWayFinish) {
  Gate gate(runtime_);
  std::promise<void> started;
  start({}, [&](IncomingRequest& request, ResponseWriter& writer) -> asio::awaitable<void> {
    started.set_value();
    co_await gate.wait();
    co_await size_of_body(request, writer);
  });
  auto reply =
      asio::co_spawn(runtime_.make_strand(),
                     fetch(*client_, testing::get(base_url(port_) + "/slow")), asio::use_future);
  ASSERT_EQ(started.get_future().wait_for(testing::kTestDeadline), std::future_status::ready);

  server_->drain();
  bool refused = false;
  for (int i = 0; i < 2000 && !refused; ++i) {  // the listener closes on its own strand
    refused = !RawClient(port_).connected();
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  gate.open();

  EXPECT_TRUE(refused);
  ASSERT_EQ(reply.wait_for(testing::kTestDeadline), std::future_status::ready);
  const Reply answered = reply.get();
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(find_header(answered.headers, "connection"), "close");
  EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
}

TEST_F(ServerLimits, DrainClosesAConnectionWaitingForItsNextRequest) {
  start();
  RawClient client(port_);
  ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(client.read_response().status, 200);

  server_->drain();

  EXPECT_TRUE(client.closed_without_more());
  EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
}

}  // namespace
}  // namespace credpool::http
