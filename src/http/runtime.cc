#include "http/runtime.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace credpool::http {

namespace asio = boost::asio;

struct Runtime::State {
  explicit State(unsigned n) : threads(n), ioc(static_cast<int>(n)) {}
  unsigned threads;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> workers;
};

Runtime::Runtime(unsigned threads)
    : state_(std::make_unique<State>(
          threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency()))) {}

Runtime::~Runtime() {
  stop();
  join();
}

void Runtime::start() {
  state_->work.emplace(state_->ioc.get_executor());
  for (unsigned i = 0; i < state_->threads; ++i) {
    state_->workers.emplace_back([this] { state_->ioc.run(); });
  }
}

void Runtime::stop() { state_->ioc.stop(); }

void Runtime::join() {
  for (auto& worker : state_->workers) {
    if (worker.joinable()) worker.join();
  }
  state_->workers.clear();
  state_->work.reset();
}

asio::any_io_executor Runtime::executor() const { return state_->ioc.get_executor(); }

asio::any_io_executor Runtime::make_strand() const { return asio::make_strand(state_->ioc); }

asio::io_context& Runtime::context() { return state_->ioc; }

unsigned Runtime::thread_count() const { return state_->threads; }

}  // namespace credpool::http
