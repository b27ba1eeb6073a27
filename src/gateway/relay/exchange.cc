#include "gateway/relay/exchange.h"

#include <charconv>
#include <utility>

#include "core/classifier.h"
#include "core/soft_failure.h"
#include "http/message.h"

namespace credpool::gateway {
namespace asio = boost::asio;
namespace {

bool is_event_stream(const core::HeaderList& headers) {
  const auto type = http::find_header(headers, "content-type");
  return type && type->find("text/event-stream") != std::string_view::npos;
}

// Returns true when the response declares a Content-Length within the soft-failure hold-back,
// so reading it whole costs no more latency than the hold-back already allows.
bool fits_hold_back(const core::HeaderList& headers) {
  const auto length = http::find_header(headers, "content-length");
  if (!length) return false;
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(length->data(), length->data() + length->size(), value);
  return error == std::errc() && end == length->data() + length->size() &&
         value <= core::kSoftFailureHoldBack;
}

// Reads the start of a 2xx until the soft-failure inspector decides, then, for a small clean
// body, up to its end.
asio::awaitable<void> read_success_start(Exchange& x, const std::string& provider,
                                         core::WallTime now) {
  core::SoftFailureVerdict verdict;
  while (true) {
    verdict = core::inspect_response_start(provider, x.stream, x.head, x.complete, now);
    if (verdict.verdict != core::StartVerdict::NeedMore) break;
    if (x.head.size() >= core::kSoftFailureHoldBack) {  // said nothing in 64 KiB: clean
      verdict = {};
      break;
    }
    auto chunk = co_await x.response->read_some();
    if (!chunk) {
      x.complete = true;
      continue;
    }
    x.head += *chunk;
  }
  if (verdict.verdict == core::StartVerdict::Failed) {
    x.failure = verdict.failure;
    if (!x.complete) x.head += co_await x.response->read_all(kMaxErrorBody);
    x.complete = true;
    co_return;
  }
  if (!x.stream && !x.complete && fits_hold_back(x.response->headers())) {
    while (!x.complete && x.head.size() <= core::kSoftFailureHoldBack) {
      auto chunk = co_await x.response->read_some();
      if (!chunk) {
        x.complete = true;
      } else {
        x.head += *chunk;
      }
    }
  }
}

}  // namespace

asio::awaitable<Exchange> exchange(http::UpstreamClient& client, http::UpstreamRequest request,
                                   std::string provider, core::WallTime now) {
  Exchange x;
  auto [error, response] = co_await client.send(std::move(request));
  if (error != http::UpstreamError::None || !response) {
    x.transport = error == http::UpstreamError::None ? http::UpstreamError::Closed : error;
    co_return x;
  }
  x.response = std::move(response);
  x.stream = is_event_stream(x.response->headers());
  const int status = x.response->status();
  if (status >= 200 && status < 300) {
    co_await read_success_start(x, provider, now);
    co_return x;
  }
  x.head = co_await x.response->read_all(kMaxErrorBody);
  x.complete = true;
  x.failure = core::classify(provider, status, x.response->headers(), x.head, now);
  if (!x.failure) {  // not a success either: never relayed as clean, never a mark
    core::Failure unknown;
    unknown.reason = core::FailureReason::Unknown;
    unknown.status_code = status;
    x.failure = unknown;
  }
  co_return x;
}

}  // namespace credpool::gateway
