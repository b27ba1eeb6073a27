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

namespace credpool::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using detail::AnyStream;
using detail::ConnectionWriter;

namespace {

// Boost 1.81 needs the wrapped form (STYLE.md §4): errors come back as values, never thrown.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyReadChunk = 64u << 10;
constexpr std::string_view kDefaultTooLarge =
    R"({"error":{"message":"request body too large","type":"invalid_request_error",)"
    R"("code":"request_too_large"}})";

constexpr std::string_view kInternalError =
    R"({"error":{"message":"internal error","type":"server_error"}})";

// What reading one request produced.
struct ReadOutcome {
  enum class Kind { Closed, Request, TooLarge } kind = Kind::Closed;
  bool body_complete = true;  // false: the discard limit was hit mid-body
};

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

  struct Entry {
    asio::any_io_executor strand;
    AnyStream* stream;  // lives in the connection coroutine; touched only on `strand`
    std::shared_ptr<asio::cancellation_signal> cancel;  // emitted only on `strand`
  };
  mutable std::mutex mutex;
  std::condition_variable idle;
  std::unordered_map<std::uint64_t, Entry> connections;
  std::size_t open = 0;  // accepted and not yet ended, registered or not
  bool stopping = false;
  bool accepting = false;  // the accept loop runs (the listening socket is open)

  void log(const std::string& line) const {
    if (options.log_error) {
      options.log_error(line);
    } else {
      std::fprintf(stderr, "credpool http: %s\n", line.c_str());
    }
  }

  class Registration;
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run_connection(tcp::socket socket, std::uint64_t id,
                                       std::shared_ptr<asio::cancellation_signal> cancel);
  asio::awaitable<ReadOutcome> read_request(AnyStream& stream, beast::flat_buffer& buffer,
                                            std::vector<char>& scratch,
                                            std::chrono::seconds first_wait, IncomingRequest& out);
};

// Registers a connection for stop() and counts it until the coroutine frame ends.
class Server::State::Registration {
 public:
  Registration(Server::State& state, std::uint64_t id) : state_(state), id_(id) {}
  ~Registration() {
    std::scoped_lock lock(state_.mutex);
    state_.connections.erase(id_);
    if (--state_.open == 0) state_.idle.notify_all();
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

  // Returns false when the server is stopping: the connection must end at once.
  bool add(asio::any_io_executor strand, AnyStream* stream,
           std::shared_ptr<asio::cancellation_signal> cancel) {
    std::scoped_lock lock(state_.mutex);
    if (state_.stopping) return false;
    state_.connections.emplace(id_,
                               Server::State::Entry{std::move(strand), stream, std::move(cancel)});
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
    const std::uint64_t id = next_id.fetch_add(1);
    {
      std::scoped_lock lock(mutex);
      ++open;
    }
    // The signal lets stop() cancel whatever the handler awaits (an upstream call, a backoff).
    auto cancel = std::make_shared<asio::cancellation_signal>();
    auto on_done = [self, id, cancel](const std::exception_ptr& error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        self->log("event=connection_bug connection_id=" + std::to_string(id) +
                  " error=" + e.what());
      } catch (...) {
        self->log("event=connection_bug connection_id=" + std::to_string(id));
      }
    };
    asio::co_spawn(strand, run_connection(std::move(socket), id, cancel),
                   asio::bind_cancellation_slot(cancel->slot(), std::move(on_done)));
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
  if (!registration.add(strand, &stream, std::move(cancel))) co_return;

  if (auto* tls_stream = stream.tls()) {
    stream.tcp().expires_after(options.read_timeout);
    auto [hs_ec] = co_await tls_stream->async_handshake(asio::ssl::stream_base::server, kNoThrow);
    if (hs_ec) co_return;
  }

  beast::flat_buffer buffer;
  std::vector<char> scratch(kBodyReadChunk);
  std::chrono::seconds wait = options.read_timeout;  // the first request is due at once
  for (;;) {
    IncomingRequest request;
    request.remote_address = remote;
    request.connection_id = id;
    const ReadOutcome outcome = co_await read_request(stream, buffer, scratch, wait, request);
    wait = options.idle_timeout;
    if (outcome.kind == ReadOutcome::Kind::Closed) break;

    ConnectionWriter writer(stream, request.keep_alive, options.write_timeout, connection_cancel);
    if (outcome.kind == ReadOutcome::Kind::TooLarge) {
      if (!outcome.body_complete) writer.force_close();
      std::string body =
          options.too_large_body ? options.too_large_body(request) : std::string(kDefaultTooLarge);
      HeaderList headers{{std::string("Content-Type"), options.too_large_content_type}};
      co_await writer.send(413, std::move(headers), std::move(body));
      if (!writer.reusable()) break;
      continue;
    }

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
    if (!writer.reusable()) break;
  }
  stream.close();
}

asio::awaitable<ReadOutcome> Server::State::read_request(AnyStream& stream,
                                                         beast::flat_buffer& buffer,
                                                         std::vector<char>& scratch,
                                                         std::chrono::seconds first_wait,
                                                         IncomingRequest& out) {
  bhttp::request_parser<bhttp::empty_body> head;
  head.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  stream.tcp().expires_after(first_wait);
  auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, head, kNoThrow);
  if (ec) co_return ReadOutcome{};

  const auto& h = head.get();
  out.method = std::string(h.method_string());
  out.target = std::string(h.target());
  out.keep_alive = h.keep_alive();
  for (const auto& field : h) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  if (beast::iequals(h[bhttp::field::expect], "100-continue")) {
    // curl and others wait for this before sending a large body (RFC 9110 §10.1.1).
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.tcp().expires_after(options.write_timeout);
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
    if (wec) co_return ReadOutcome{};
  }

  bhttp::request_parser<bhttp::buffer_body> body_parser{std::move(head)};
  body_parser.body_limit(boost::none);  // counted below, so an oversized body can be discarded
  bool too_large = false;
  std::size_t seen = 0;
  while (!body_parser.is_done()) {
    body_parser.get().body().data = scratch.data();
    body_parser.get().body().size = scratch.size();
    stream.tcp().expires_after(options.read_timeout);
    auto [rec, rn] = co_await bhttp::async_read_some(stream, buffer, body_parser, kNoThrow);
    if (rec && rec != bhttp::error::need_buffer) co_return ReadOutcome{};
    const std::size_t got = scratch.size() - body_parser.get().body().size;
    seen += got;
    if (!too_large && out.body.size() + got > options.max_body_bytes) {
      too_large = true;
      std::string().swap(out.body);
    }
    if (!too_large) out.body.append(scratch.data(), got);
    if (too_large && seen > options.max_discard_bytes) {
      co_return ReadOutcome{ReadOutcome::Kind::TooLarge, false};
    }
  }
  if (too_large) co_return ReadOutcome{ReadOutcome::Kind::TooLarge, true};
  co_return ReadOutcome{ReadOutcome::Kind::Request, true};
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
    if (state->open == 0) state->idle.notify_all();
  });
  return {bound, ""};
}

void Server::stop() {
  auto state = state_;
  std::scoped_lock lock(state->mutex);
  if (state->stopping) return;
  state->stopping = true;
  asio::post(state->accept_strand, [state] {
    if (state->acceptor) {
      beast::error_code ignored;
      state->acceptor->close(ignored);
    }
  });
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
  return state_->idle.wait_for(lock, timeout,
                               [this] { return state_->open == 0 && !state_->accepting; });
}

std::size_t Server::open_connections() const {
  std::scoped_lock lock(state_->mutex);
  return state_->open;
}

}  // namespace credpool::http
