#include "http/server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "http/any_stream.h"
#include "http/connection_writer.h"
#include "http/request_reader.h"

namespace credpool::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using detail::AnyStream;
using detail::ConnectionWriter;
using detail::copy_head;
using detail::linger;
using detail::read_request;
using detail::ReadOutcome;
using detail::SteadyClock;
using detail::Watchdog;

namespace {

// Boost 1.81 needs the wrapped form (STYLE.md §4): errors come back as values, never thrown.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// A lingering close ends after this much time in all (nginx's lingering_time default).
constexpr auto kMaxLinger = std::chrono::seconds(30);
// A connection over max_connections gets this long to send its head (which tells the wire of the
// 503) and this long again to read the answer, so rejected connections never pile up.
constexpr auto kOverloadWait = std::chrono::seconds(1);
// Connections being answered 503 at once; past this, new ones are closed unanswered.
constexpr std::size_t kMaxRejecting = 256;

constexpr std::string_view kInternalError =
    R"({"error":{"message":"internal error","type":"server_error"}})";

}  // namespace

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(Runtime& r, ServerOptions o, Handler h)
      : runtime(r), options(std::move(o)), handler(std::move(h)), accept_strand(r.make_strand()) {}

  Runtime& runtime;
  ServerOptions options;
  Handler handler;
  std::optional<asio::ssl::context> tls;
  asio::any_io_executor accept_strand;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> draining{false};

  struct Entry {
    asio::any_io_executor strand;
    AnyStream* stream;  // lives in the connection coroutine; touched only on `strand`
    std::shared_ptr<asio::cancellation_signal> cancel;  // emitted only on `strand`
    const bool* idle;  // true while waiting for a request; in the coroutine, read on `strand`
  };
  mutable std::mutex mutex;
  std::condition_variable all_done;  // notified when quiet() turns true
  std::unordered_map<std::uint64_t, Entry> connections;
  std::size_t open = 0;       // accepted and not yet ended, registered or not
  std::size_t rejecting = 0;  // over max_connections, being answered 503
  bool stopping = false;
  bool accepting = false;  // the accept loop runs (the listening socket is open)

  void log(const std::string& line) const {
    if (options.log_error) {
      options.log_error(line);
    } else {
      std::fprintf(stderr, "credpool http: %s\n", line.c_str());
    }
  }
  // Returns whether nothing runs any more; call with `mutex` held.
  bool quiet() const { return open == 0 && rejecting == 0 && !accepting; }

  class Registration;
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run_connection(tcp::socket socket, std::uint64_t id,
                                       std::shared_ptr<asio::cancellation_signal> cancel);
  asio::awaitable<void> reject_connection(tcp::socket socket);
  asio::awaitable<void> answer_error(AnyStream& stream, ServerError error,
                                     const IncomingRequest& request);
};

// Registers a connection for stop() and counts it until the coroutine frame ends.
class Server::State::Registration {
 public:
  Registration(Server::State& state, std::uint64_t id) : state_(state), id_(id) {}
  ~Registration() {
    std::scoped_lock lock(state_.mutex);
    state_.connections.erase(id_);
    --state_.open;
    if (state_.quiet()) state_.all_done.notify_all();
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Returns false when the server is stopping: the connection must end at once.
  bool add(asio::any_io_executor strand, AnyStream* stream,
           std::shared_ptr<asio::cancellation_signal> cancel, const bool* idle) {
    std::scoped_lock lock(state_.mutex);
    if (state_.stopping) return false;
    state_.connections.emplace(
        id_, Server::State::Entry{std::move(strand), stream, std::move(cancel), idle});
    return true;
  }

 private:
  Server::State& state_;
  std::uint64_t id_;
};

asio::awaitable<void> Server::State::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer backoff(accept_strand);
  for (;;) {
    auto strand = runtime.make_strand();
    auto [ec, socket] = co_await acceptor->async_accept(strand, kNoThrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      log("event=accept_failed error=" + ec.message());
      // Too many open files and similar: wait instead of spinning on the error.
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kNoThrow);
      continue;
    }
    enum class Admit { Serve, Reject, Drop } admit = Admit::Serve;
    {
      std::scoped_lock lock(mutex);
      if (open < options.max_connections) {
        ++open;
      } else if (rejecting < kMaxRejecting) {
        ++rejecting;
        admit = Admit::Reject;
      } else {
        admit = Admit::Drop;
      }
    }
    if (admit == Admit::Drop) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto on_error = [self](std::string what) {
      return [self, what = std::move(what)](const std::exception_ptr& error) {
        if (!error) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          self->log("event=connection_bug " + what + " error=" + e.what());
        } catch (...) {
          self->log("event=connection_bug " + what);
        }
      };
    };
    if (admit == Admit::Reject) {
      asio::co_spawn(strand, reject_connection(std::move(socket)), on_error("rejected=1"));
      continue;
    }
    const std::uint64_t id = next_id.fetch_add(1);
    // The signal lets stop() cancel whatever the handler awaits (an upstream call, a backoff).
    auto cancel = std::make_shared<asio::cancellation_signal>();
    asio::co_spawn(strand, run_connection(std::move(socket), id, cancel),
                   asio::bind_cancellation_slot(cancel->slot(),
                                                on_error("connection_id=" + std::to_string(id))));
  }
}

asio::awaitable<void> Server::State::run_connection(
    tcp::socket socket, std::uint64_t id, std::shared_ptr<asio::cancellation_signal> cancel) {
  auto self = shared_from_this();
  // After stop() cancels, awaited operations return operation_aborted as values instead of the
  // next co_await throwing (the default in Asio 1.81): handlers never see an exception.
  co_await asio::this_coro::throw_if_cancelled(false);
  Registration registration(*this, id);
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string() : endpoint.address().to_string();
  auto strand = socket.get_executor();
  AnyStream stream = tls ? AnyStream(beast::tcp_stream(std::move(socket)), *tls)
                         : AnyStream(beast::tcp_stream(std::move(socket)));
  const auto connection_cancel = cancel;
  bool idle = true;  // a new connection that sent nothing yet may be closed by drain()
  if (!registration.add(strand, &stream, std::move(cancel), &idle)) co_return;

  // The first request's head is due within header_timeout of the accept, TLS handshake included.
  const auto first_deadline = SteadyClock::now() + options.header_timeout;
  if (auto* tls_stream = stream.tls()) {
    stream.tcp().expires_at(first_deadline);
    auto [hs_ec] = co_await tls_stream->async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (hs_ec) co_return;
  }

  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    IncomingRequest request;
    request.remote_address = remote;
    request.connection_id = id;
    const ReadOutcome outcome =
        co_await read_request(stream, buffer, options,
                              first ? std::optional(first_deadline) : std::nullopt, idle, request);
    first = false;
    if (outcome.kind == ReadOutcome::Kind::Closed) break;
    if (outcome.kind == ReadOutcome::Kind::Refused) {
      co_await answer_error(stream, outcome.error, request);
      co_await linger(stream, options, kMaxLinger);
      break;
    }

    // Once draining, each answer says the connection closes after it.
    ConnectionWriter writer(stream, request.keep_alive, options.write_timeout, connection_cancel,
                            request.method == "HEAD", &draining);
    bool threw = false;
    try {
      co_await handler(request, writer);
    } catch (const std::exception& e) {
      threw = true;
      log("event=handler_bug connection_id=" + std::to_string(id) + " error=" + e.what());
    }
    if (threw) writer.force_close();
    if (!writer.started()) {
      // GCC 12 rejects a string literal as a coroutine argument ("array used as initializer").
      HeaderList headers{{std::string("Content-Type"), std::string("application/json")}};
      co_await writer.send(500, std::move(headers), std::string(kInternalError));
    }
    if (!writer.reusable() || draining.load()) break;
  }
  stream.close();
}

asio::awaitable<void> Server::State::reject_connection(tcp::socket socket) {
  auto self = shared_from_this();
  co_await asio::this_coro::throw_if_cancelled(false);
  struct Done {
    State& state;
    ~Done() {
      std::scoped_lock lock(state.mutex);
      --state.rejecting;
      if (state.quiet()) state.all_done.notify_all();
    }
  } done{*this};
  AnyStream stream = tls ? AnyStream(beast::tcp_stream(std::move(socket)), *tls)
                         : AnyStream(beast::tcp_stream(std::move(socket)));
  const auto deadline = SteadyClock::now() + kOverloadWait;
  if (auto* tls_stream = stream.tls()) {
    stream.tcp().expires_at(deadline);
    auto [hs_ec] = co_await tls_stream->async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (hs_ec) co_return;
  }
  // The head, if it comes at once, tells the client's wire; the 503 goes out either way.
  IncomingRequest request;
  {
    beast::flat_buffer buffer;
    bhttp::request_parser<bhttp::empty_body> head;
    head.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
    head.body_limit(boost::none);  // the body is not read: only the head matters here
    const Watchdog watchdog(stream, deadline);
    co_await bhttp::async_read_header(stream, buffer, head, kNoThrow);
    copy_head(head.get(), request);
  }
  co_await answer_error(stream, ServerError::Overloaded, request);
  co_await linger(stream, options, kOverloadWait);
  stream.close();
}

asio::awaitable<void> Server::State::answer_error(AnyStream& stream, ServerError error,
                                                  const IncomingRequest& request) {
  ErrorAnswer answer =
      options.error_answer ? options.error_answer(error, request) : default_error_answer(error);
  if (error == ServerError::Overloaded && !find_header(answer.headers, "retry-after")) {
    answer.headers.emplace_back("Retry-After", "1");  // DESIGN: 503 overloaded, Retry-After: 1
  }
  ConnectionWriter writer(stream, /*keep_alive=*/false, options.write_timeout, nullptr,
                          request.method == "HEAD");
  co_await writer.send(status_of(error), std::move(answer.headers), std::move(answer.body));
}

Server::Server(Runtime& runtime, ServerOptions options, Handler handler)
    : state_(std::make_shared<State>(runtime, std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

ListenResult Server::listen(const std::string& host, std::uint16_t port) {
  State& s = *state_;
  if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
    beast::error_code ec;
    s.tls.emplace(asio::ssl::context::tls_server);
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
    s.tls->use_certificate_chain_file(s.options.tls_cert_file, ec);
    if (ec)
      return {0, "cannot load TLS certificate " + s.options.tls_cert_file + ": " + ec.message()};
    s.tls->use_private_key_file(s.options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return {0, "cannot load TLS key " + s.options.tls_key_file + ": " + ec.message()};
  }

  beast::error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(s.runtime.context());
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return {0, "cannot resolve listen host " + host};
    endpoint = results.begin()->endpoint();
  }

  auto acceptor = std::make_unique<tcp::acceptor>(s.accept_strand);
  if (acceptor->open(endpoint.protocol(), ec); ec)
    return {0, "cannot open socket: " + ec.message()};
  acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor->bind(endpoint, ec); ec) {
    return {0, "cannot bind " + host + ":" + std::to_string(port) + ": " + ec.message()};
  }
  if (acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return {0, "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message()};
  }
  const std::uint16_t bound = acceptor->local_endpoint(ec).port();
  s.acceptor = std::move(acceptor);
  {
    std::scoped_lock lock(s.mutex);
    s.accepting = true;
  }
  asio::co_spawn(s.accept_strand, s.accept_loop(), [state = state_](const std::exception_ptr& e) {
    if (e) state->log("event=accept_loop_bug");
    std::scoped_lock lock(state->mutex);
    state->accepting = false;
    if (state->quiet()) state->all_done.notify_all();
  });
  return {bound, ""};
}

// Closes the listening socket on its strand: new connections are refused from then on.
void Server::close_listener(const std::shared_ptr<State>& state) {
  asio::post(state->accept_strand, [state] {
    if (state->acceptor) {
      beast::error_code ignored;
      state->acceptor->close(ignored);
    }
  });
}

void Server::drain() {
  auto state = state_;
  std::scoped_lock lock(state->mutex);
  if (state->stopping || state->draining.exchange(true)) return;
  close_listener(state);
  for (const auto& [id, entry] : state->connections) {
    asio::post(entry.strand, [state, conn_id = id] {
      // Looked up again on the connection's strand: the coroutine may have ended meanwhile, and
      // its idle flag is only read here, between two of its steps.
      AnyStream* stream = nullptr;
      {
        std::scoped_lock inner(state->mutex);
        auto it = state->connections.find(conn_id);
        if (it != state->connections.end() && *it->second.idle) stream = it->second.stream;
      }
      if (stream) stream->close();
    });
  }
}

void Server::stop() {
  auto state = state_;
  std::scoped_lock lock(state->mutex);
  if (state->stopping) return;
  state->stopping = true;
  close_listener(state);
  for (const auto& [id, entry] : state->connections) {
    asio::post(entry.strand, [state, conn_id = id] {
      // Looked up again on the connection's strand: the coroutine may have ended meanwhile.
      AnyStream* stream = nullptr;
      std::shared_ptr<asio::cancellation_signal> cancel;
      {
        std::scoped_lock inner(state->mutex);
        auto it = state->connections.find(conn_id);
        if (it != state->connections.end()) {
          stream = it->second.stream;
          cancel = it->second.cancel;
        }
      }
      if (stream) stream->close();
      if (cancel) cancel->emit(asio::cancellation_type::terminal);
    });
  }
}

bool Server::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->all_done.wait_for(lock, timeout, [this] { return state_->quiet(); });
}

std::size_t Server::open_connections() const {
  std::scoped_lock lock(state_->mutex);
  return state_->open;
}

}  // namespace credpool::http
