// Fuzzes the HTTP server's request reading as the gateway uses it: each input is written to a
// real socket of a Server on 127.0.0.1 (limits as the gateway sets them, short timeouts), the
// write side is closed, and whatever comes back is read until the server closes. The contract:
// the server never crashes, and every answer is an HTTP/1.1 response (or nothing).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "http/runtime.h"
#include "http/server.h"

namespace {

using namespace credpool;

// Answers every complete request with a small body naming its size.
boost::asio::awaitable<void> echo_size(http::IncomingRequest& request, http::ResponseWriter& w) {
  // Named, not a braced temporary: GCC 12 mishandles those inside a coroutine.
  http::HeaderList headers;
  headers.emplace_back("content-type", "text/plain");
  co_await w.send(200, std::move(headers), std::to_string(request.body.size()));
}

// One server for the whole run: started on first use, never stopped (the process exits).
std::uint16_t server_port() {
  static std::uint16_t port = [] {
    static http::Runtime runtime(1);
    runtime.start();
    http::ServerOptions options;
    options.max_body_bytes = 64u << 10;
    options.max_header_bytes = 8u << 10;
    options.header_timeout = std::chrono::seconds(1);
    options.body_timeout = std::chrono::seconds(1);
    options.idle_timeout = std::chrono::seconds(1);
    options.linger_timeout = std::chrono::seconds(1);
    options.log_error = [](std::string_view) {};
    static http::Server server(runtime, options, echo_size);
    const http::ListenResult bound = server.listen("127.0.0.1", 0);
    if (!bound.ok()) std::abort();
    return bound.port;
  }();
  return port;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server_port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval deadline{3, 0};  // a partial request waits for the header timeout (1 s), then 408
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return 0;
  }
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close early (413, 431)
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  return 0;
}
