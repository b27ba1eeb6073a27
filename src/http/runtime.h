#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace boost::asio {
class io_context;
}

namespace credpool::http {

// Owns the one io_context of the process and its worker threads. Only the composition root
// (src/cli) creates it; everything else receives a reference or an executor.
class Runtime {
 public:
  // Creates the io_context; `threads` == 0 means std::thread::hardware_concurrency() (at least 1).
  // No thread runs until start().
  explicit Runtime(unsigned threads = 0);
  // Stops the io_context and joins the workers.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Starts the worker threads and returns at once. Call once, from the thread that owns this.
  void start();
  // Stops the io_context: pending handlers are abandoned. Thread-safe, may run on a worker.
  void stop();
  // Waits for the worker threads to end (after stop()). Never call it from a worker thread.
  void join();

  // Returns the io_context's executor (not a strand). Thread-safe.
  boost::asio::any_io_executor executor() const;
  // Returns a new strand; everything of one connection runs on one strand (STYLE.md §6).
  boost::asio::any_io_executor make_strand() const;
  // Returns the io_context, for objects that need it (signal_set, timers). Thread-safe.
  boost::asio::io_context& context();
  unsigned thread_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace credpool::http
