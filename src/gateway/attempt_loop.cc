#include "gateway/attempt_loop.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/router.h"
#include "core/classifier.h"
#include "core/cooldown_policy.h"
#include "core/recovery_policy.h"
#include "core/soft_failure.h"
#include "gateway/attempt_events.h"
#include "gateway/errors.h"
#include "gateway/rate_limit_remaining.h"
#include "gateway/upstream_request.h"

namespace credpool::gateway {
namespace asio = boost::asio;
namespace {

// Error bodies are read whole up to this size for the classifier and the pass-through.
constexpr std::size_t kMaxErrorBody = 4u << 20;
// A pick that repeats a credential already tried in this step ends the step, and no step makes
// more attempts than this, whatever happens (reference §3.4 #97315: a 429 loop).
constexpr int kMaxAttemptsPerStep = 64;

struct CredentialTries {
  int rate_limits = 0;
  int transients = 0;
  int refreshes = 0;
};

// The last upstream answer, kept to be passed through when the route ends on it.
struct Answer {
  int status = 0;
  core::HeaderList headers;
  std::string body;
  std::string provider;
  std::string credential;
  std::string model;  // non-empty when the step changed the model
};

bool is_transient(core::FailureReason reason) {
  return reason == core::FailureReason::Overloaded || reason == core::FailureReason::Server ||
         reason == core::FailureReason::Timeout;
}

bool is_event_stream(const core::HeaderList& headers) {
  const auto type = find_header(headers, "content-type");
  return type && type->find("text/event-stream") != std::string_view::npos;
}

// Returns true when the response declares a Content-Length within the soft-failure hold-back,
// so reading it whole costs no more latency than the hold-back already allows.
bool fits_hold_back(const core::HeaderList& headers) {
  const auto length = find_header(headers, "content-length");
  if (!length) return false;
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(length->data(), length->data() + length->size(), value);
  return error == std::errc() && end == length->data() + length->size() &&
         value <= core::kSoftFailureHoldBack;
}

core::HeaderList response_headers(const core::HeaderList& upstream, const Answer& who) {
  core::HeaderList out = client_headers(upstream);
  out.emplace_back("x-credpool-provider", who.provider);
  out.emplace_back("x-credpool-credential", who.credential);
  if (!who.model.empty()) out.emplace_back("x-credpool-model", who.model);
  return out;
}

// Waits for the store thread to report a write, resuming on the caller's strand.
asio::awaitable<bool> await_durable(std::function<void(CredentialService::Done)> start) {
  auto executor = co_await asio::this_coro::executor;
  auto initiate = [executor, start = std::move(start)](auto handler) {
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    start([shared, executor](bool ok) {
      asio::post(executor, [shared, ok]() mutable { (*shared)(ok); });
    });
  };
  const bool durable = co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(bool)>(
      std::move(initiate), asio::use_awaitable);
  co_return durable;
}

std::string exhausted_message(const std::map<std::string, PoolExhausted>& pools) {
  std::string out = "No usable credential:";
  bool first = true;
  for (const auto& [pool, why] : pools) {
    out += first ? " " : "; ";
    first = false;
    out += pool + ":";
    if (why.credentials.empty()) out += " no credentials";
    for (const UnusableCredential& c : why.credentials) {
      out += fmt::format(" {} ({}", c.label, c.reason);
      if (c.until) out += fmt::format(" until {:%Y-%m-%dT%H:%M:%SZ}", *c.until);
      out += ")";
    }
  }
  return out;
}

}  // namespace

asio::awaitable<ProxyOutcome> run_attempts(const AttemptDeps& deps,
                                           const http::IncomingRequest& request,
                                           const ProxyRequest& proxy,
                                           http::ResponseWriter& writer) {
  ProxyOutcome outcome;
  const auto steps = config::route_request(deps.config, proxy.model, proxy.anthropic_endpoint);
  std::optional<Answer> last;
  std::optional<http::UpstreamError> last_transport;
  std::map<std::string, PoolExhausted> exhausted;
  bool every_step_exhausted = true;
  std::chrono::milliseconds waited{0};
  std::chrono::nanoseconds upstream_time{0};

  for (std::size_t s = 0; s < steps.size(); ++s) {
    const config::RouteStep& step = steps[s];
    const auto provider = config::lookup_provider(deps.config, step.provider);
    if (!provider) continue;
    auto policy =
        core::CooldownPolicy::from_table(config::cooldowns_for(deps.config, step.provider));
    const core::CooldownPolicy cooldowns = policy ? *policy : core::CooldownPolicy{};
    const auto timeouts = config::timeouts_for(deps.config, step.provider);
    std::string body = request.body;
    if (step.model_changed) {
      if (auto rewritten = rewrite_model(request.body, step.model)) body = std::move(*rewritten);
    }

    std::map<std::string, CredentialTries> tries;
    std::set<std::string> tried;
    std::optional<PickedCredential> current;
    std::string fallback_reason = "no_usable_credential";
    bool fresh_pick = true;
    for (int attempt = 0; attempt < kMaxAttemptsPerStep; ++attempt) {
      const core::WallTime now = deps.clock.wall_now();
      if (!current || fresh_pick) {
        current = deps.credentials.pick(step.provider, step.model, now);
        if (!current || tried.count(current->id) != 0) break;
        tried.insert(current->id);
      } else {
        deps.credentials.count_retry(step.provider, current->id);  // pick() counted the first
      }
      fresh_pick = false;

      http::UpstreamRequest up;
      up.method = request.method;
      up.url = upstream_url(config::effective_base_url(deps.config, *provider, current->base_url),
                            provider->wire, request.target);
      up.headers =
          upstream_headers(request.headers, provider->wire, provider->auth, current->secret);
      up.body = body;
      up.timeouts.connect = timeouts.connect;
      up.timeouts.first_byte = timeouts.first_byte;
      up.timeouts.idle = timeouts.idle;

      outcome.attempts += 1;
      const auto started = deps.clock.steady_now();
      auto [error, response] = co_await deps.upstream.send(std::move(up));
      Answer answer{0,
                    {},
                    {},
                    step.provider,
                    current->label,
                    step.model_changed ? step.model : std::string()};
      std::optional<core::Failure> failure;
      if (error != http::UpstreamError::None || !response) {
        last_transport = error;
        outcome.provider = step.provider;  // names the unreachable attempt in metrics and logs
        outcome.credential = current->label;
        failure = error == http::UpstreamError::Timeout
                      ? core::timeout_failure()
                      : core::transport_failure(http::to_string(error));
        deps.metrics.count_attempt(
            step.provider, current->label,
            error == http::UpstreamError::Timeout ? "timeout" : "unreachable");
      } else if (response->status() >= 200 && response->status() < 300) {
        const bool stream = is_event_stream(response->headers());
        std::string head;
        bool complete = false;
        core::SoftFailureVerdict verdict;
        while (true) {
          verdict = core::inspect_response_start(step.provider, stream, head, complete, now);
          if (verdict.verdict != core::StartVerdict::NeedMore) break;
          if (head.size() >= core::kSoftFailureHoldBack) {  // said nothing in 64 KiB: clean
            verdict = {};
            break;
          }
          auto chunk = co_await response->read_some();
          if (!chunk) {
            complete = true;
            continue;
          }
          head += *chunk;
        }
        // A small whole body is relayed with its Content-Length rather than chunked.
        if (verdict.verdict == core::StartVerdict::Clean && !stream && !complete &&
            fits_hold_back(response->headers())) {
          while (!complete && head.size() <= core::kSoftFailureHoldBack) {
            auto chunk = co_await response->read_some();
            if (!chunk) {
              complete = true;
            } else {
              head += *chunk;
            }
          }
        }
        {
          const auto spent = deps.clock.steady_now() - started;
          deps.metrics.observe_upstream(spent);
          upstream_time += spent;
        }
        if (verdict.verdict == core::StartVerdict::Clean) {
          deps.credentials.record_success(step.provider, current->id);
          // Kept from successes only: an error's budget says what the cooldown already says.
          if (auto remaining = rate_limit_remaining_from(response->headers(), now)) {
            deps.credentials.record_rate_limit_remaining(step.provider, current->id, *remaining);
          }
          last_transport.reset();
          auto headers = response_headers(response->headers(), answer);
          outcome = {response->status(), step.provider, current->label, outcome.attempts,
                     upstream_time};
          deps.metrics.count_attempt(step.provider, current->label, "success");
          if (complete && !stream && response->error() == http::UpstreamError::None) {
            co_await writer.send(response->status(), std::move(headers), std::move(head));
            co_return outcome;
          }
          if (!co_await writer.start_stream(response->status(), std::move(headers))) {
            co_return outcome;
          }
          if (!co_await writer.write_chunk(head)) co_return outcome;
          while (!complete) {
            auto chunk = co_await response->read_some();
            if (!chunk) break;
            if (!co_await writer.write_chunk(*chunk)) co_return outcome;  // client gone
          }
          if (response->error() == http::UpstreamError::None) co_await writer.finish_stream();
          co_return outcome;
        }
        failure = verdict.failure;
        answer.status = response->status();
        answer.headers = response->headers();
        if (!complete) head += co_await response->read_all(kMaxErrorBody);
        answer.body = std::move(head);
      } else {
        answer.status = response->status();
        answer.headers = response->headers();
        answer.body = co_await response->read_all(kMaxErrorBody);
        {
          const auto spent = deps.clock.steady_now() - started;
          deps.metrics.observe_upstream(spent);
          upstream_time += spent;
        }
        failure = core::classify(step.provider, answer.status, answer.headers, answer.body, now);
        if (!failure) {  // neither success nor failure (3xx): the client's business
          deps.metrics.count_attempt(step.provider, current->label, "unclassified");
          last = std::move(answer);
          break;
        }
      }
      if (!failure) failure = core::transport_failure("unreadable response");
      if (answer.status != 0) {
        deps.metrics.count_attempt(step.provider, current->label, core::to_string(failure->reason));
        last = std::move(answer);
        last_transport.reset();
      }

      CredentialTries& mine = tries[current->id];
      const core::AttemptContext context{
          .another_credential_usable =
              deps.credentials.another_usable(step.provider, current->id, step.model, now),
          .auth_type = current->auth_type,
          .rate_limits_on_this_credential = mine.rate_limits,
          .transient_retries_on_this_credential = mine.transients,
          .refreshes_done = mine.refreshes,
          .refresh_failed = false,
          .failure_streak = current->failure_streak,
          .waited_so_far = waited};
      core::Recovery recovery = core::decide_recovery(*failure, context, cooldowns, now);
      if (failure->reason == core::FailureReason::RateLimit) mine.rate_limits += 1;
      if (recovery.next == core::NextStep::RefreshThenRetry) {
        // No OAuth refresher is wired into the gateway yet: treat as a failed refresh.
        mine.refreshes += 1;
        auto again = context;
        again.refresh_failed = true;
        recovery = core::decide_recovery(*failure, again, cooldowns, now);
        if (recovery.next == core::NextStep::RefreshThenRetry)
          recovery.next = core::NextStep::RotateNow;
      }
      if (recovery.cooldown) {
        const std::string pool = step.provider;
        const std::string id = current->id;
        if (recovery.model_scoped) {
          const std::string model = step.model;
          const core::WallTime until = recovery.cooldown->until;
          // Named, not a temporary: GCC 12 mishandles temporaries alive across co_await.
          std::function<void(CredentialService::Done)> start =
              [&deps, pool, id, model, until](CredentialService::Done done) {
                deps.credentials.record_model_cooldown(pool, id, model, until, std::move(done));
              };
          co_await await_durable(std::move(start));
          JournalEvent event =
              attempt_event(JournalKind::Mark, proxy.request_id, pool, *current, *failure, now);
          event.message = "model " + model + ": " + event.message;
          event.resets_at = until;
          event.reset_source = core::to_string(recovery.cooldown->source);
          deps.credentials.journal(std::move(event));
        } else {
          const core::Exhaustion exhaustion =
              core::make_exhaustion(*failure, *recovery.cooldown, now);
          std::function<void(CredentialService::Done)> start =
              [&deps, pool, id, exhaustion](CredentialService::Done done) {
                deps.credentials.record_exhaustion(pool, id, exhaustion, std::move(done));
              };
          co_await await_durable(std::move(start));
          JournalEvent event =
              attempt_event(exhaustion.dead ? JournalKind::Dead : JournalKind::Mark,
                            proxy.request_id, pool, *current, *failure, now);
          if (!exhaustion.dead) event.resets_at = exhaustion.resets_at;
          event.reset_source = core::to_string(exhaustion.reset_source);
          deps.credentials.journal(std::move(event));
        }
        spdlog::info("event=credential_cooled provider={} credential={} id={} reason={} until={}",
                     step.provider, current->label, current->id, core::to_string(failure->reason),
                     core::to_epoch(recovery.cooldown->until));
      }
      fallback_reason = std::string(core::to_string(failure->reason));

      bool step_done = false;
      switch (recovery.next) {
        case core::NextStep::RotateNow:
        case core::NextStep::RefreshThenRetry:
          deps.metrics.count_rotation(step.provider, core::to_string(failure->reason));
          deps.credentials.journal(attempt_event(JournalKind::Rotate, proxy.request_id,
                                                 step.provider, *current, *failure, now));
          fresh_pick = true;
          break;
        case core::NextStep::RetrySameAfter: {
          if (is_transient(failure->reason)) mine.transients += 1;
          auto wait = std::min(deps.jitter ? deps.jitter(recovery.wait) : recovery.wait,
                               core::kMaxTotalWait - waited);
          if (wait.count() < 0) {
            step_done = true;
            break;
          }
          auto executor = co_await asio::this_coro::executor;
          asio::steady_timer timer(executor, wait);
          co_await timer.async_wait(asio::use_awaitable);
          waited += wait;
          break;
        }
        case core::NextStep::FallBack:
          step_done = true;
          break;
        case core::NextStep::ReturnToClient:
          s = steps.size();  // ends the route: the request itself is at fault
          step_done = true;
          break;
      }
      if (step_done) break;
    }

    const core::WallTime now = deps.clock.wall_now();
    if (deps.credentials.another_usable(step.provider, "", step.model, now) && s < steps.size()) {
      every_step_exhausted = false;
    } else if (s < steps.size()) {
      exhausted[step.provider] = deps.credentials.exhausted(step.provider, step.model, now);
    } else {
      every_step_exhausted = false;  // ReturnToClient
    }
    if (s + 1 < steps.size()) {
      deps.metrics.count_fallback(step.provider, steps[s + 1].provider, fallback_reason);
      JournalEvent event;
      event.ts = now;
      event.event = JournalKind::Fallback;
      event.provider = step.provider;
      if (current) {
        event.credential_id = current->id;
        event.label = current->label;
      }
      event.reason = fallback_reason;
      event.message =
          fmt::format("fall back to {} (model {})", steps[s + 1].provider, steps[s + 1].model);
      event.request_id = proxy.request_id;
      deps.credentials.journal(std::move(event));
    }
  }

  if (every_step_exhausted && !exhausted.empty()) {
    const core::WallTime now = deps.clock.wall_now();
    std::optional<core::WallTime> earliest;
    for (const auto& [pool, why] : exhausted) {
      if (why.earliest_reset && (!earliest || *why.earliest_reset < *earliest)) {
        earliest = why.earliest_reset;
      }
    }
    const auto retry_after = earliest
                                 ? std::chrono::duration_cast<std::chrono::seconds>(*earliest - now)
                                 : std::chrono::seconds(core::kSoleCooldown);
    ErrorResponse error = make_error(proxy.client_wire, GatewayError::CredentialsExhausted,
                                     exhausted_message(exhausted), retry_after);
    deps.metrics.count_exhausted(steps.empty() ? "" : steps.front().provider);
    outcome.status = error.status;
    outcome.provider.clear();  // credpool's own answer
    outcome.credential.clear();
    co_await writer.send(error.status, std::move(error.headers), std::move(error.body));
    co_return outcome;
  }
  if (last_transport || !last) {
    const bool timeout = last_transport && *last_transport == http::UpstreamError::Timeout;
    ErrorResponse error =
        make_error(proxy.client_wire,
                   timeout ? GatewayError::UpstreamTimeout : GatewayError::UpstreamUnreachable,
                   steps.empty() ? "no route for this request"
                   : timeout     ? "upstream did not answer in time"
                                 : "upstream unreachable");
    outcome.status = error.status;
    co_await writer.send(error.status, std::move(error.headers), std::move(error.body));
    co_return outcome;
  }
  outcome.upstream = upstream_time;
  outcome.status = last->status;
  outcome.provider = last->provider;
  outcome.credential = last->credential;
  auto headers = response_headers(last->headers, *last);
  co_await writer.send(last->status, std::move(headers), std::move(last->body));
  co_return outcome;
}

}  // namespace credpool::gateway
