#include "http/upstream_client.h"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include "unit/http/http_test_support.h"

namespace credpool::http {
namespace {

namespace asio = boost::asio;

using testing::base_url;
using testing::fetch;
using testing::Gate;
using testing::get;
using testing::Reply;

asio::awaitable<void> hello(IncomingRequest& request, ResponseWriter& writer) {
  HeaderList headers{
      {"X-Connection", std::to_string(request.connection_id)},
      {"X-Seen-Host", std::string(find_header(request.headers, "host").value_or(""))}};
  co_await writer.send(200, std::move(headers), "hello " + request.target);
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  void SetUp() override { runtime_.start(); }
  void TearDown() override {
    for (auto& gate : gates_) gate->open();  // release handlers still waiting
    if (server_) {
      server_->stop();
      EXPECT_TRUE(server_->wait_idle(testing::kTestDeadline));
    }
    client_.reset();
    server_.reset();
    runtime_.stop();
    runtime_.join();
  }
  void start_server(Handler handler, ServerOptions options = {}) {
    server_ = std::make_unique<Server>(runtime_, std::move(options), std::move(handler));
    const ListenResult bound = server_->listen("127.0.0.1", 0);
    ASSERT_TRUE(bound.ok()) << bound.error;
    port_ = bound.port;
  }
  void make_client(ClientOptions options = {}) {
    auto made = make_upstream_client(runtime_, std::move(options));
    ASSERT_TRUE(made.client) << made.error;
    client_ = std::move(made.client);
  }
  Gate& new_gate() { return *gates_.emplace_back(std::make_unique<Gate>(runtime_)); }
  Reply call(UpstreamRequest request) {
    return testing::run(runtime_, fetch(*client_, std::move(request)));
  }

  Runtime runtime_{2};
  std::vector<std::unique_ptr<Gate>> gates_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<UpstreamClient> client_;
  std::uint16_t port_ = 0;
};

TEST_F(UpstreamClientTest, GetsAResponseAndSetsTheHostHeader) {
  start_server(hello);
  make_client();

  const Reply reply = call(get(base_url(port_) + "/v1/models"));

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello /v1/models");
  EXPECT_EQ(find_header(reply.headers, "x-seen-host"), "127.0.0.1:" + std::to_string(port_));
}

TEST_F(UpstreamClientTest, ReadsAnSseStreamEventByEvent) {
  Gate& gate = new_gate();
  start_server([&gate](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    // GCC 12: a braced list across co_await fails ("array used as initializer").
    HeaderList headers{{"Content-Type", "text/event-stream"}};
    co_await writer.start_stream(200, std::move(headers));
    for (int i = 1; i <= 3; ++i) {
      co_await writer.write_chunk("data: {\"n\":" + std::to_string(i) + "}\n\n");
      if (i == 1) co_await gate.wait();
    }
    co_await writer.write_chunk("data: [DONE]\n\n");
    co_await writer.finish_stream();
  });
  make_client();
  auto read_events = [&]() -> asio::awaitable<std::pair<std::string, UpstreamError>> {
    auto [error, response] = co_await client_->send(get(base_url(port_) + "/sse"));
    if (!response) co_return std::pair{std::string("no response"), error};
    std::string first = (co_await response->read_some()).value_or("<end>");
    gate.open();
    std::string rest = co_await response->read_all();
    co_return std::pair{first + "|" + rest, response->error()};
  };

  const auto [events, error] = testing::run(runtime_, read_events());

  EXPECT_EQ(error, UpstreamError::None);
  EXPECT_EQ(events, "data: {\"n\":1}\n\n|data: {\"n\":2}\n\ndata: {\"n\":3}\n\ndata: [DONE]\n\n");
}

TEST_F(UpstreamClientTest, ReadsAHundredMegabyteBodyWithContentLength) {
  constexpr std::size_t kSize = 100'000'000;  // far over Beast's 8 MiB response default
  start_server([](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    co_await writer.send(200, HeaderList(), std::string(kSize, 'x'));
  });
  make_client();
  auto count = [&]() -> asio::awaitable<std::pair<std::size_t, UpstreamError>> {
    auto [error, response] = co_await client_->send(get(base_url(port_) + "/big"));
    if (!response) co_return std::pair{std::size_t{0}, error};
    std::size_t total = 0;
    while (auto piece = co_await response->read_some()) total += piece->size();
    co_return std::pair{total, response->error()};
  };

  const auto [total, error] = testing::run(runtime_, count());

  EXPECT_EQ(error, UpstreamError::None);
  EXPECT_EQ(total, kSize);
}

TEST_F(UpstreamClientTest, ReportsAConnectErrorForAClosedPort) {
  std::uint16_t closed_port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  make_client();

  const Reply reply = call(get(base_url(closed_port) + "/"));

  EXPECT_EQ(reply.error, UpstreamError::Connect);
}

TEST_F(UpstreamClientTest, TimesOutWaitingForTheFirstByte) {
  Gate& gate = new_gate();
  start_server([&gate](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    co_await gate.wait();
    co_await writer.send(200, HeaderList(), std::string("late"));
  });
  make_client();
  UpstreamRequest request = get(base_url(port_) + "/slow");
  request.timeouts.first_byte = std::chrono::milliseconds(100);

  const Reply reply = call(request);

  EXPECT_EQ(reply.error, UpstreamError::Timeout);
}

TEST_F(UpstreamClientTest, ReusesAKeptAliveConnection) {
  start_server(hello);
  make_client();

  const Reply first = call(get(base_url(port_) + "/a"));
  const Reply second = call(get(base_url(port_) + "/b"));

  EXPECT_EQ(find_header(first.headers, "x-connection"),
            find_header(second.headers, "x-connection"));
}

TEST_F(UpstreamClientTest, RetriesOnAFreshConnectionWhenThePooledOneIsDead) {
  start_server(hello);
  make_client();
  ASSERT_EQ(call(get(base_url(port_) + "/a")).status, 200);  // leaves a pooled connection
  server_->stop();                                           // closes it under the client
  ASSERT_TRUE(server_->wait_idle(testing::kTestDeadline));
  server_ = std::make_unique<Server>(
      runtime_, ServerOptions{},
      [](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
        co_await writer.send(200, HeaderList(), std::string("fresh"));
      });
  ASSERT_TRUE(server_->listen("127.0.0.1", port_).ok());

  const Reply second = call(get(base_url(port_) + "/b"));

  ASSERT_EQ(second.error, UpstreamError::None);
  EXPECT_EQ(second.body, "fresh");
}

TEST_F(UpstreamClientTest, TimesOutWhenTheBodyGoesQuiet) {
  Gate& gate = new_gate();
  start_server([&gate](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    co_await writer.start_stream(200, HeaderList());
    co_await writer.write_chunk("data: 1\n\n");
    co_await gate.wait();
  });
  make_client();
  UpstreamRequest request = get(base_url(port_) + "/sse");
  request.timeouts.idle = std::chrono::milliseconds(100);

  const Reply reply = call(request);

  EXPECT_EQ(reply.body, "data: 1\n\n");
  EXPECT_EQ(reply.error, UpstreamError::Timeout);
}

TEST_F(UpstreamClientTest, DroppingAResponseMidBodyClosesTheUpstreamConnection) {
  Gate& gate = new_gate();
  std::promise<bool> write_failed;
  start_server([&](IncomingRequest&, ResponseWriter& writer) -> asio::awaitable<void> {
    co_await writer.start_stream(200, HeaderList());
    co_await writer.write_chunk("data: 1\n\n");
    co_await gate.wait();
    const std::string filler(16u << 10, 'x');
    bool failed = false;
    // The kernel buffers a few writes after the peer closed; a bounded loop finds the error.
    for (int i = 0; i < 4096 && !failed; ++i) failed = !co_await writer.write_chunk(filler);
    write_failed.set_value(failed);
  });
  make_client();
  auto read_one_then_drop = [&]() -> asio::awaitable<std::string> {
    auto [error, response] = co_await client_->send(get(base_url(port_) + "/sse"));
    if (!response) co_return std::string(to_string(error));
    auto first = co_await response->read_some();
    co_return first.value_or("<end>");
  };

  const std::string first = testing::run(runtime_, read_one_then_drop());
  gate.open();

  EXPECT_EQ(first, "data: 1\n\n");
  auto failed = write_failed.get_future();
  ASSERT_EQ(failed.wait_for(testing::kTestDeadline), std::future_status::ready);
  EXPECT_TRUE(failed.get());
}

TEST_F(UpstreamClientTest, RejectsAUrlThatIsNotHttp) {
  make_client();

  const Reply reply = call(get("ftp://example.com/"));

  EXPECT_EQ(reply.error, UpstreamError::BadUrl);
}

TEST(MakeUpstreamClient, FailsOnAMissingCaFile) {
  Runtime runtime(1);
  ClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";

  const MadeClient made = make_upstream_client(runtime, options);

  EXPECT_EQ(made.client, nullptr);
  EXPECT_NE(made.error.find("/nonexistent/ca.pem"), std::string::npos);
}

// A self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI per test.
class TlsTest : public UpstreamClientTest {
 protected:
  void SetUp() override {
    UpstreamClientTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("credpool-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
        (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() +
        "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "openssl CLI failed";
    ServerOptions options;
    options.tls_cert_file = (dir_ / "cert.pem").string();
    options.tls_key_file = (dir_ / "key.pem").string();
    start_server(hello, options);
  }
  void TearDown() override {
    UpstreamClientTest::TearDown();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string https_url(const std::string& host) {
    return "https://" + host + ":" + std::to_string(port_) + "/secure";
  }
  std::filesystem::path dir_;
};

TEST_F(TlsTest, VerifiesTheServerWithTheConfiguredCaFile) {
  make_client({.ca_file = (dir_ / "cert.pem").string()});

  const Reply reply = call(get(https_url("localhost")));

  ASSERT_EQ(reply.error, UpstreamError::None);
  EXPECT_EQ(reply.body, "hello /secure");
}

TEST_F(TlsTest, VerifiesAnIpAddressAgainstTheIpSubjectAltName) {
  make_client({.ca_file = (dir_ / "cert.pem").string()});

  const Reply reply = call(get(https_url("127.0.0.1")));

  EXPECT_EQ(reply.error, UpstreamError::None);
}

TEST_F(TlsTest, RejectsTheServerWithoutTheCa) {
  make_client();

  const Reply reply = call(get(https_url("localhost")));

  EXPECT_EQ(reply.error, UpstreamError::Tls);
}

}  // namespace
}  // namespace credpool::http
