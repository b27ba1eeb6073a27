#include "http/upstream_client.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <openssl/ssl.h>

#include "http/any_stream.h"
#include "http/url.h"

namespace credpool::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using detail::AnyStream;
using Clock = std::chrono::steady_clock;

std::string_view to_string(UpstreamError error) {
  switch (error) {
    case UpstreamError::None:
      return "none";
    case UpstreamError::BadUrl:
      return "bad_url";
    case UpstreamError::Resolve:
      return "resolve";
    case UpstreamError::Connect:
      return "connect";
    case UpstreamError::Tls:
      return "tls";
    case UpstreamError::Timeout:
      return "timeout";
    case UpstreamError::Protocol:
      return "protocol";
    case UpstreamError::Closed:
      return "closed";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, UpstreamError error) { return out << to_string(error); }

asio::awaitable<std::string> UpstreamResponse::read_all(std::size_t max_bytes) {
  std::string body;
  while (auto piece = co_await read_some()) {
    if (body.size() < max_bytes) body.append(*piece, 0, max_bytes - body.size());
  }
  co_return body;
}

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64u << 10;
constexpr std::uint32_t kMaxResponseHeader = 64u << 10;
// Kept below the 60 s idle timeout common to upstream load balancers, so a pooled connection is
// rarely closed under us (the retry below covers the rest).
constexpr auto kMaxPooledIdle = std::chrono::seconds(50);

using Parser = bhttp::response_parser<bhttp::buffer_body>;

// Bounds the whole call (Timeouts::total) and each step (connect, first byte, idle).
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds total)
      : end_(total.count() > 0 ? Clock::now() + total : Clock::time_point::max()) {}
  // Sets the stream's deadline for the next step; zero `step` means no step limit.
  void arm(beast::tcp_stream& stream, std::chrono::milliseconds step) const {
    auto end = end_;
    if (step.count() > 0) end = std::min(end, Clock::now() + step);
    if (end == Clock::time_point::max()) {
      stream.expires_never();
    } else {
      stream.expires_at(end);
    }
  }
  Clock::duration remaining(std::chrono::milliseconds step) const {
    auto end = end_;
    if (step.count() > 0) end = std::min(end, Clock::now() + step);
    return end == Clock::time_point::max() ? Clock::duration::max() : end - Clock::now();
  }

 private:
  Clock::time_point end_;
};

UpstreamError classify(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return UpstreamError::Timeout;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return UpstreamError::Protocol;
  }
  if (ec.category() == asio::error::get_ssl_category()) return UpstreamError::Tls;
  return UpstreamError::Closed;
}

struct Connection {
  Connection(const asio::any_io_executor& io, asio::ssl::context* tls)
      : stream(tls ? AnyStream(beast::tcp_stream(io), *tls) : AnyStream(beast::tcp_stream(io))) {
    // Beast sizes each socket read by the buffer's free capacity (at least 512 bytes), so an
    // unreserved buffer relays a large body 512 bytes per recv.
    buffer.reserve(kReadChunk);
  }
  AnyStream stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
};

// Holds idle keep-alive connections per "scheme://host:port". Thread-safe.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle) : max_idle_(max_idle) {}

  std::unique_ptr<Connection> take(const std::string& key) {
    std::scoped_lock lock(mutex_);
    auto it = idle_.find(key);
    while (it != idle_.end() && !it->second.empty()) {
      auto conn = std::move(it->second.back());
      it->second.pop_back();
      if (Clock::now() - conn->idle_since < kMaxPooledIdle) return conn;
      conn->stream.close();
    }
    return nullptr;
  }

  void give(const std::string& key, std::unique_ptr<Connection> conn) {
    std::scoped_lock lock(mutex_);
    auto& list = idle_[key];
    if (list.size() >= max_idle_) {
      conn->stream.close();
      return;
    }
    conn->idle_since = Clock::now();
    list.push_back(std::move(conn));
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  std::size_t max_idle_;
};

class BeastUpstreamResponse final : public UpstreamResponse {
 public:
  BeastUpstreamResponse(int status, HeaderList headers, std::unique_ptr<Connection> conn,
                        std::unique_ptr<Parser> parser, std::shared_ptr<ConnectionPool> pool,
                        std::string key, Deadline deadline, std::chrono::milliseconds idle)
      : UpstreamResponse(status, std::move(headers)),
        conn_(std::move(conn)),
        parser_(std::move(parser)),
        pool_(std::move(pool)),
        key_(std::move(key)),
        deadline_(deadline),
        idle_(idle) {}

  ~BeastUpstreamResponse() override {
    if (!conn_) return;
    if (parser_->is_done()) {
      finish();
    } else {
      conn_->stream.close();  // mid-body: the upstream sees the request cancelled
    }
  }

  asio::awaitable<std::optional<std::string>> read_some() override {
    while (conn_) {
      if (parser_->is_done()) {
        finish();
        break;
      }
      // Default-initialised: zeroing 64 KiB per response showed up as memset in the profile.
      if (!scratch_) scratch_.reset(new char[kReadChunk]);
      parser_->get().body().data = scratch_.get();
      parser_->get().body().size = kReadChunk;
      deadline_.arm(conn_->stream.tcp(), idle_);
      auto [ec, n] =
          co_await bhttp::async_read_some(conn_->stream, conn_->buffer, *parser_, kNoThrow);
      if (ec && ec != bhttp::error::need_buffer) {
        error_ = classify(ec);
        conn_->stream.close();
        conn_.reset();
        break;
      }
      const std::size_t got = kReadChunk - parser_->get().body().size;
      if (got > 0) co_return std::string(scratch_.get(), got);
      // Only framing (a chunk header) was consumed: read again.
    }
    co_return std::nullopt;
  }

  UpstreamError error() const override { return error_; }

 private:
  // Returns the connection to the pool when the message ended cleanly and may be reused.
  void finish() {
    auto conn = std::move(conn_);
    if (parser_->get().keep_alive() && conn->buffer.size() == 0) {
      conn->stream.tcp().expires_never();
      pool_->give(key_, std::move(conn));
    } else {
      conn->stream.close();
    }
  }

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Parser> parser_;
  std::shared_ptr<ConnectionPool> pool_;
  std::string key_;
  Deadline deadline_;
  std::chrono::milliseconds idle_;
  std::unique_ptr<char[]> scratch_;
  UpstreamError error_ = UpstreamError::None;
};

bool is_framing_field(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

class PooledUpstreamClient final : public UpstreamClient {
 public:
  PooledUpstreamClient(asio::any_io_executor io, std::unique_ptr<asio::ssl::context> tls,
                       std::size_t max_idle)
      : io_(std::move(io)),
        tls_(std::move(tls)),
        pool_(std::make_shared<ConnectionPool>(max_idle)) {}

  asio::awaitable<UpstreamResult> send(UpstreamRequest request) override {
    const auto url = parse_url(request.url);
    if (!url) co_return UpstreamResult{UpstreamError::BadUrl, nullptr};
    const std::string key =
        (url->tls ? "https://" : "http://") + url->host + ":" + std::to_string(url->port);
    bhttp::request<bhttp::string_body> message = build_message(request, *url);
    const bool head = message.method() == bhttp::verb::head;
    const Deadline deadline(request.timeouts.total);

    for (int attempt = 0; attempt < 2; ++attempt) {
      auto conn = attempt == 0 ? pool_->take(key) : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) {
        auto [error, fresh] = co_await connect(*url, deadline, request.timeouts.connect);
        if (error != UpstreamError::None) co_return UpstreamResult{error, nullptr};
        conn = std::move(fresh);
      }

      auto parser = std::make_unique<Parser>();
      parser->body_limit(boost::none);  // long SSE streams exceed the 8 MiB default
      parser->header_limit(kMaxResponseHeader);
      parser->skip(head);
      deadline.arm(conn->stream.tcp(), request.timeouts.first_byte);
      auto [wec, wn] = co_await bhttp::async_write(conn->stream, message, kNoThrow);
      beast::error_code ec = wec;
      if (!ec) {
        auto [hec, hn] =
            co_await bhttp::async_read_header(conn->stream, conn->buffer, *parser, kNoThrow);
        ec = hec;
      }
      if (ec) {
        const bool any_byte = parser->got_some() || conn->buffer.size() > 0;
        conn->stream.close();
        const UpstreamError error = classify(ec);
        if (reused && !any_byte && error != UpstreamError::Timeout) continue;  // stale pooled
        co_return UpstreamResult{error, nullptr};
      }

      HeaderList headers;
      for (const auto& field : parser->get()) {
        headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      const int status = static_cast<int>(parser->get().result_int());
      co_return UpstreamResult{UpstreamError::None,
                               std::make_unique<BeastUpstreamResponse>(
                                   status, std::move(headers), std::move(conn), std::move(parser),
                                   pool_, key, deadline, request.timeouts.idle)};
    }
    co_return UpstreamResult{UpstreamError::Closed, nullptr};
  }

 private:
  static bhttp::request<bhttp::string_body> build_message(UpstreamRequest& request,
                                                          const Url& url) {
    bhttp::request<bhttp::string_body> message;
    message.version(11);
    const bhttp::verb verb = bhttp::string_to_verb(request.method);
    if (verb == bhttp::verb::unknown) {
      message.method_string(request.method);
    } else {
      message.method(verb);
    }
    message.target(url.target);
    bool has_host = false;
    for (const auto& [name, value] : request.headers) {
      if (is_framing_field(name)) continue;
      has_host = has_host || beast::iequals(name, "host");
      message.insert(name, value);
    }
    if (!has_host) message.set(bhttp::field::host, host_header(url));
    message.body() = std::move(request.body);
    message.keep_alive(true);
    message.prepare_payload();
    return message;
  }

  asio::awaitable<std::pair<UpstreamError, std::unique_ptr<Connection>>> connect(
      const Url& url, const Deadline& deadline, std::chrono::milliseconds connect_timeout) {
    using Out = std::pair<UpstreamError, std::unique_ptr<Connection>>;
    // The resolver has no deadline of its own: a timer on this coroutine's executor cancels it.
    auto resolver = std::make_shared<tcp::resolver>(io_);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto budget = deadline.remaining(connect_timeout);
    if (budget != Clock::duration::max()) {
      timer.expires_after(budget);
      timer.async_wait([resolver](const beast::error_code& ec) {
        if (!ec) resolver->cancel();
      });
    }
    auto [rec, results] =
        co_await resolver->async_resolve(url.host, std::to_string(url.port), kNoThrow);
    const bool timed_out = timer.expiry() <= Clock::now() && budget != Clock::duration::max();
    timer.cancel();
    if (rec) co_return Out{timed_out ? UpstreamError::Timeout : UpstreamError::Resolve, nullptr};

    auto conn = std::make_unique<Connection>(io_, url.tls ? tls_.get() : nullptr);
    deadline.arm(conn->stream.tcp(), connect_timeout);
    auto [cec, endpoint] = co_await conn->stream.tcp().async_connect(results, kNoThrow);
    if (cec) {
      co_return Out{cec == beast::error::timeout ? UpstreamError::Timeout : UpstreamError::Connect,
                    nullptr};
    }
    if (auto* tls = conn->stream.tls()) {
      beast::error_code not_ip;
      asio::ip::make_address(url.host, not_ip);
      const bool is_ip = !not_ip;
      // SNI carries names only (RFC 6066 §3); the verifier checks either a name or an IP SAN.
      // SSL_set_tlsext_host_name, spelled out: the macro's C cast trips -Wold-style-cast.
      if (!is_ip &&
          SSL_ctrl(tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   static_cast<void*>(const_cast<char*>(url.host.c_str()))) != 1) {
        co_return Out{UpstreamError::Tls, nullptr};
      }
      tls->set_verify_mode(asio::ssl::verify_peer);
      tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
      auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, kNoThrow);
      if (hec) {
        co_return Out{hec == beast::error::timeout ? UpstreamError::Timeout : UpstreamError::Tls,
                      nullptr};
      }
    }
    co_return Out{UpstreamError::None, std::move(conn)};
  }

  asio::any_io_executor io_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::shared_ptr<ConnectionPool> pool_;
};

}  // namespace

MadeClient make_upstream_client(Runtime& runtime, ClientOptions options) {
  std::unique_ptr<asio::ssl::context> tls;
  try {  // the context constructor throws only when OpenSSL cannot allocate one
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  } catch (const std::exception& e) {
    return {nullptr, std::string("cannot create a TLS context: ") + e.what()};
  }
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (options.use_system_ca) {
    // Honours SSL_CERT_FILE / SSL_CERT_DIR (OpenSSL reads them here); needs ca-certificates.
    tls->set_default_verify_paths(ec);
    ec = {};  // an empty system store is not fatal: ca_file may be all there is
  }
  if (!options.ca_file.empty()) {
    tls->load_verify_file(options.ca_file, ec);
    if (ec) return {nullptr, "cannot load CA file " + options.ca_file + ": " + ec.message()};
  }
  return {std::make_unique<PooledUpstreamClient>(runtime.executor(), std::move(tls),
                                                 options.max_idle_per_host),
          ""};
}

}  // namespace credpool::http
