#pragma once

#include <chrono>
#include <future>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "http/runtime.h"
#include "http/server.h"
#include "http/upstream_client.h"

namespace credpool::http::testing {

namespace asio = boost::asio;

// Bounds every wait of a test on real sockets; never reached when the code works.
inline constexpr auto kTestDeadline = std::chrono::seconds(20);

// Runs `work` on a fresh strand of `runtime` and returns its result, failing after kTestDeadline.
template <class T>
T run(Runtime& runtime, asio::awaitable<T> work) {
  auto future = asio::co_spawn(runtime.make_strand(), std::move(work), asio::use_future);
  if (future.wait_for(kTestDeadline) != std::future_status::ready) {
    ADD_FAILURE() << "coroutine did not finish in time";
    std::abort();  // the coroutine still references test state
  }
  return future.get();
}

// Lets a server handler wait until the test says go, without sleeping. Thread-safe.
class Gate {
 public:
  explicit Gate(Runtime& runtime) : strand_(runtime.make_strand()), timer_(strand_) {
    timer_.expires_at(std::chrono::steady_clock::time_point::max());
  }
  // Resumes once open() was called (before or after this call).
  asio::awaitable<void> wait() {
    co_await asio::co_spawn(strand_, wait_here(), asio::use_awaitable);
  }
  void open() {
    asio::post(strand_, [this] {
      opened_ = true;
      timer_.cancel();
    });
  }

 private:
  asio::awaitable<void> wait_here() {
    if (!opened_) co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  asio::any_io_executor strand_;
  asio::steady_timer timer_;
  bool opened_ = false;
};

// Sends one request and reads the whole body.
struct Reply {
  UpstreamError error = UpstreamError::None;
  int status = 0;
  HeaderList headers;
  std::string body;
};

inline asio::awaitable<Reply> fetch(UpstreamClient& client, UpstreamRequest request) {
  Reply reply;
  auto [error, response] = co_await client.send(std::move(request));
  reply.error = error;
  if (!response) co_return reply;
  reply.status = response->status();
  reply.headers = response->headers();
  reply.body = co_await response->read_all();
  reply.error = response->error();
  co_return reply;
}

inline UpstreamRequest get(const std::string& url) {
  UpstreamRequest request;
  request.method = "GET";
  request.url = url;
  return request;
}

inline std::string base_url(std::uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace credpool::http::testing
