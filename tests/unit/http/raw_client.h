#pragma once

// A blocking TCP client for the server's limit tests: they need to send what no HTTP client
// library sends (a head of an exact size, a head that never ends, nothing at all) and to see
// exactly what comes back. Every call is bounded by socket timeouts; used from test threads only.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace credpool::http::testing {

// One response as read off the wire: the head as text and the body after it.
struct RawResponse {
  int status = 0;  // 0: no status line came
  std::string head;
  std::string body;
  bool closed = false;  // the server closed the connection after it

  // Returns the value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    std::string lower_head = head;
    std::transform(lower_head.begin(), lower_head.end(), lower_head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string needle = "\r\n" + std::string(name) + ":";
    std::transform(needle.begin(), needle.end(), needle.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::size_t at = lower_head.find(needle);
    if (at == std::string::npos) return std::nullopt;
    std::size_t begin = at + needle.size();
    while (begin < head.size() && head[begin] == ' ') ++begin;
    const std::size_t end = head.find("\r\n", begin);
    return head.substr(begin, end - begin);
  }
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; every later send or receive gives up after `timeout`.
  explicit RawClient(std::uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(10))
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count());
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Sends all of `data`; false when the peer stopped taking it (reset, timeout).
  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one response: the head, then a Content-Length body or everything until the close
  // (nothing after the head of an answer to HEAD). Stops early at the socket timeout or a reset
  // (then `closed` is true).
  RawResponse read_response(bool head_request = false) {
    RawResponse response;
    std::size_t head_end = std::string::npos;
    while ((head_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) {
        response.closed = true;
        response.head = std::move(pending_);
        pending_.clear();
        return response;
      }
    }
    response.head = pending_.substr(0, head_end + 2);
    pending_.erase(0, head_end + 4);
    if (response.head.starts_with("HTTP/1.1 ")) {
      response.status = std::stoi(response.head.substr(9, 3));
    }
    if (head_request) return response;
    if (const auto length = response.header("content-length")) {
      const std::size_t want = std::stoul(*length);
      while (pending_.size() < want && fill()) {
      }
      const std::size_t take = std::min(want, pending_.size());
      response.body = pending_.substr(0, take);
      pending_.erase(0, take);
    } else {
      while (fill()) {
      }
      response.body = std::move(pending_);
      pending_.clear();
      response.closed = true;
    }
    return response;
  }

  // Returns whether the server closed the connection (EOF or reset) with nothing more sent,
  // within the socket timeout (a timeout is not a close).
  bool closed_without_more() {
    if (!pending_.empty() || fill()) return false;
    return !timed_out_;
  }

 private:
  // Appends what one recv returns; false on EOF, reset or timeout (then timed_out_ is set).
  bool fill() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    timed_out_ = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (n <= 0) return false;
    pending_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  bool timed_out_ = false;
  int fd_;
  bool connected_ = false;
  std::string pending_;
};

}  // namespace credpool::http::testing
