#include "gateway/attempt_loop.h"

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "config/router.h"
#include "core/cooldown_policy.h"
#include "core/ledger/attempt_ledger.h"
#include "gateway/attempt_events.h"
#include "gateway/errors.h"
#include "gateway/rate_limit_remaining.h"
#include "gateway/relay/exchange.h"
#include "gateway/relay/relay_response.h"
#include "gateway/upstream_request.h"

namespace credpool::gateway {
namespace asio = boost::asio;
namespace {

// What one route step needs beyond the ledger's view of it.
struct StepPlan {
  providers::ProviderInfo provider;
  std::string body;  // the request body, with the step's model when it changed
  bool model_changed = false;
  config::Timeouts timeouts;
};

// The state of one request while the gateway executes its ledger's actions.
struct RequestRun {
  RequestRun(const AttemptDeps& d, const http::IncomingRequest& r, const ProxyRequest& p,
             http::ResponseWriter& w, std::vector<StepPlan> route, core::AttemptLedger l,
             std::string first)
      : deps(d),
        request(r),
        proxy(p),
        writer(w),
        plans(std::move(route)),
        ledger(std::move(l)),
        first_provider(std::move(first)) {}

  const AttemptDeps& deps;
  const http::IncomingRequest& request;
  const ProxyRequest& proxy;
  http::ResponseWriter& writer;
  std::vector<StepPlan> plans;
  core::AttemptLedger ledger;
  std::optional<PickedCredential> credential;  // of the attempt in progress
  Exchange exchange;                           // the last upstream answer
  std::string answered_by;                     // provider of the last upstream answer
  std::string answered_label;
  bool answer_model_changed = false;
  std::string answer_model;

  ProxyOutcome outcome;
  std::string first_provider;  // names credpool's own 429/503 in metrics

  StepPlan& plan() { return plans[ledger.step_index()]; }
};

// Builds the ledger's steps and the gateway's plans of a request's route.
void plan_route(const AttemptDeps& deps, const http::IncomingRequest& request,
                const ProxyRequest& proxy, std::vector<core::LedgerStep>& steps,
                std::vector<StepPlan>& plans) {
  for (const config::RouteStep& step :
       config::route_request(deps.config, proxy.model, proxy.anthropic_endpoint)) {
    auto provider = config::lookup_provider(deps.config, step.provider);
    if (!provider) continue;
    auto policy =
        core::CooldownPolicy::from_table(config::cooldowns_for(deps.config, step.provider));
    core::LedgerStep ledger_step{step.provider, step.model, provider->wire != proxy.client_wire,
                                 policy ? *policy : core::CooldownPolicy{}};
    ledger_step.cooldowns.max_cooldown = deps.config.max_cooldown;
    StepPlan plan{*provider, request.body, step.model_changed,
                  config::timeouts_for(deps.config, step.provider)};
    if (step.model_changed) {
      if (auto rewritten = rewrite_model(request.body, step.model)) plan.body = *rewritten;
    }
    steps.push_back(std::move(ledger_step));
    plans.push_back(std::move(plan));
  }
}

JournalKind journal_kind(core::NoteKind kind) {
  switch (kind) {
    case core::NoteKind::Mark:
      return JournalKind::Mark;
    case core::NoteKind::Dead:
      return JournalKind::Dead;
    case core::NoteKind::Rotate:
      return JournalKind::Rotate;
    case core::NoteKind::Fallback:
      return JournalKind::Fallback;
    case core::NoteKind::Unclassified:
      return JournalKind::Unclassified;
  }
  return JournalKind::Mark;
}

// Journals and counts what the ledger noted. The secret is scrubbed from provider text.
void record_notes(RequestRun& run, const std::vector<core::Note>& notes, core::WallTime now) {
  for (const core::Note& note : notes) {
    JournalEvent event;
    if (note.failure && run.credential) {
      event = attempt_event(journal_kind(note.kind), run.proxy.request_id, note.provider,
                            *run.credential, *note.failure, now);
    }
    event.ts = now;
    event.event = journal_kind(note.kind);
    event.provider = note.provider;
    event.credential_id = note.credential_id;
    event.label = note.label;
    event.reason = note.reason;
    event.request_id = run.proxy.request_id;
    event.resets_at = note.resets_at;
    if (note.reset_source) event.reset_source = core::to_string(*note.reset_source);
    if (!note.model.empty()) event.message = "model " + note.model + ": " + event.message;
    switch (note.kind) {
      case core::NoteKind::Rotate:
        run.deps.metrics.count_rotation(note.provider, note.reason);
        break;
      case core::NoteKind::Fallback:
        event.message = note.to_provider.empty()
                            ? "step skipped"
                            : "fall back to " + note.to_provider + " (model " + note.to_model + ")";
        if (!note.to_provider.empty()) {
          run.deps.metrics.count_fallback(note.provider, note.to_provider, note.reason);
        }
        break;
      case core::NoteKind::Mark:
      case core::NoteKind::Dead:
        spdlog::info("event=credential_cooled provider={} credential={} id={} reason={} model={}",
                     note.provider, note.label, note.credential_id, note.reason,
                     note.model.empty() ? "-" : note.model);
        break;
      case core::NoteKind::Unclassified:
        spdlog::warn("event=unclassified_failure provider={} credential={} status={}",
                     note.provider, note.label, note.failure ? note.failure->status_code : 0);
        break;
    }
    run.deps.credentials.journal(std::move(event));
  }
}

asio::awaitable<core::Action> do_pick(RequestRun& run) {
  const core::LedgerStep& step = run.ledger.step();
  const core::WallTime now = run.deps.clock.wall_now();
  auto picked = run.deps.credentials.pick(step.provider, step.model, now);
  if (!picked) {
    co_return run.ledger.on_picked(
        std::nullopt, run.deps.credentials.exhausted(step.provider, step.model, now), now);
  }
  run.credential = std::move(*picked);
  const core::PickedFacts facts{run.credential->id, run.credential->label,
                                run.credential->auth_type, run.credential->failure_streak};
  co_return run.ledger.on_picked(facts, {}, now);
}

http::UpstreamRequest upstream_request(RequestRun& run) {
  const StepPlan& plan = run.plan();
  const PickedCredential& credential = *run.credential;
  http::UpstreamRequest up;
  up.method = run.request.method;
  up.url =
      upstream_url(config::effective_base_url(run.deps.config, plan.provider, credential.base_url),
                   plan.provider.wire, run.request.target);
  up.headers = upstream_headers(run.request.headers, plan.provider.wire, plan.provider.auth,
                                credential.secret);
  up.body = plan.body;
  up.timeouts.connect = plan.timeouts.connect;
  up.timeouts.first_byte = plan.timeouts.first_byte;
  up.timeouts.idle = plan.timeouts.idle;
  return up;
}

// Sends the attempt, reads its answer far enough to classify it, and reports it to the ledger.
asio::awaitable<core::Action> do_send(RequestRun& run, bool retry) {
  const core::LedgerStep& step = run.ledger.step();
  const std::string provider = step.provider;
  const std::string model = step.model;
  const std::string label = run.credential->label;
  if (retry) run.deps.credentials.count_retry(provider, run.credential->id);
  const core::WallTime now = run.deps.clock.wall_now();
  const auto started = run.deps.clock.steady_now();
  run.outcome.attempts += 1;
  run.exchange = co_await exchange(run.deps.upstream, upstream_request(run), provider, now);
  const auto spent = run.deps.clock.steady_now() - started;
  run.deps.metrics.observe_upstream(spent);
  run.outcome.upstream += spent;
  run.answered_by = provider;
  run.answered_label = label;
  run.answer_model_changed = run.plan().model_changed;
  run.answer_model = model;

  const core::WallTime after = run.deps.clock.wall_now();
  if (run.exchange.transport != http::UpstreamError::None) {
    const bool timeout = run.exchange.transport == http::UpstreamError::Timeout;
    run.deps.metrics.count_attempt(provider, label, timeout ? "timeout" : "unreachable");
    const bool another =
        run.deps.credentials.another_usable(provider, run.credential->id, model, after);
    co_return run.ledger.on_transport_error(timeout, another, after);
  }
  if (!run.exchange.failure) {
    run.deps.credentials.record_success(provider, run.credential->id);
    // Kept from successes only: an error's budget says what the cooldown already says.
    if (auto remaining = rate_limit_remaining_from(run.exchange.response->headers(), after)) {
      run.deps.credentials.record_rate_limit_remaining(provider, run.credential->id, *remaining);
    }
    run.deps.metrics.count_attempt(provider, label, "success");
    co_return run.ledger.on_clean_response();
  }
  // A provider may echo the key it was sent: the message is kept, listed and journalled, so the
  // secret is masked out before anything records it.
  core::Failure& failure = *run.exchange.failure;
  failure.message = scrub_secret(failure.message, run.credential->secret.reveal());
  failure.error_code = scrub_secret(failure.error_code, run.credential->secret.reveal());
  run.deps.metrics.count_attempt(provider, label, core::to_string(failure.reason));
  const bool another =
      run.deps.credentials.another_usable(provider, run.credential->id, model, after);
  co_return run.ledger.on_failure(failure, another, after);
}

// Waits for the store thread to report a write, resuming on the caller's executor.
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

// Applies a mark to the attempt's own pool and credential and waits until it is durable
// (DESIGN: a mark is durable before the response of the request that caused it ends).
asio::awaitable<core::Action> do_mark(RequestRun& run, core::MarkOrder order) {
  CredentialService& credentials = run.deps.credentials;
  // Named, not a temporary: GCC 12 mishandles temporaries alive across co_await.
  std::function<void(CredentialService::Done)> start;
  if (order.model_scoped) {
    start = [&credentials, order](CredentialService::Done done) {
      credentials.record_model_cooldown(order.provider, order.credential_id, order.model,
                                        order.exhaustion.resets_at, order.exhaustion.at,
                                        std::move(done));
    };
  } else {
    start = [&credentials, order](CredentialService::Done done) {
      credentials.record_exhaustion(order.provider, order.credential_id, order.exhaustion,
                                    std::move(done));
    };
  }
  co_await await_durable(std::move(start));
  co_return run.ledger.on_marked(run.deps.clock.wall_now());
}

asio::awaitable<core::Action> do_wait(RequestRun& run, std::chrono::milliseconds wait) {
  asio::steady_timer timer(co_await asio::this_coro::executor, wait);
  co_await timer.async_wait(asio::use_awaitable);
  co_return run.ledger.on_waited(wait, run.deps.clock.wall_now());
}

// No OAuth refresher is wired into the gateway yet (issue #8): every refresh fails, and the
// ledger then treats the 401 as a failed refresh.
core::Action do_refresh(RequestRun& run) {
  const core::LedgerStep& step = run.ledger.step();
  const core::WallTime now = run.deps.clock.wall_now();
  const bool another =
      run.deps.credentials.another_usable(step.provider, run.credential->id, step.model, now);
  return run.ledger.on_refreshed(false, another, now);
}

core::HeaderList answer_headers(const RequestRun& run, const core::HeaderList& upstream) {
  core::HeaderList out = client_headers(upstream);
  out.emplace_back("x-credpool-provider", run.answered_by);
  out.emplace_back("x-credpool-credential", run.answered_label);
  if (run.answer_model_changed) out.emplace_back("x-credpool-model", run.answer_model);
  return out;
}

asio::awaitable<void> do_relay(RequestRun& run) {
  run.outcome.status = run.exchange.response->status();
  run.outcome.provider = run.answered_by;
  run.outcome.credential = run.answered_label;
  co_await relay_clean(run.writer, run.exchange,
                       answer_headers(run, run.exchange.response->headers()),
                       run.proxy.client_wire);
}

asio::awaitable<void> do_pass_through(RequestRun& run) {
  run.outcome.status = run.exchange.response->status();
  run.outcome.provider = run.answered_by;
  run.outcome.credential = run.answered_label;
  co_await run.writer.send(run.outcome.status,
                           answer_headers(run, run.exchange.response->headers()),
                           std::move(run.exchange.head));
}

GatewayError gateway_error(core::OwnAnswer own) {
  switch (own) {
    case core::OwnAnswer::CredentialsExhausted:
      return GatewayError::CredentialsExhausted;
    case core::OwnAnswer::CredentialsMissing:
      return GatewayError::CredentialsMissing;
    case core::OwnAnswer::UpstreamUnreachable:
      return GatewayError::UpstreamUnreachable;
    case core::OwnAnswer::UpstreamTimeout:
      return GatewayError::UpstreamTimeout;
  }
  return GatewayError::UpstreamUnreachable;
}

asio::awaitable<void> do_answer(RequestRun& run, const core::Action& action) {
  ErrorResponse error = make_error(run.proxy.client_wire, gateway_error(action.own), action.message,
                                   action.retry_after);
  if (action.own == core::OwnAnswer::CredentialsExhausted ||
      action.own == core::OwnAnswer::CredentialsMissing) {
    run.deps.metrics.count_exhausted(run.first_provider);
    run.outcome.provider.clear();  // credpool's own answer
    run.outcome.credential.clear();
  }
  run.outcome.status = error.status;
  co_await run.writer.send(error.status, std::move(error.headers), std::move(error.body));
}

}  // namespace

asio::awaitable<ProxyOutcome> run_attempts(const AttemptDeps& deps,
                                           const http::IncomingRequest& request,
                                           const ProxyRequest& proxy,
                                           http::ResponseWriter& writer) {
  std::vector<core::LedgerStep> steps;
  std::vector<StepPlan> plans;
  plan_route(deps, request, proxy, steps, plans);
  const std::string first_provider = steps.empty() ? std::string() : steps.front().provider;
  RequestRun run(deps, request, proxy, writer, std::move(plans),
                 core::AttemptLedger(std::move(steps), std::hash<std::string>{}(proxy.request_id)),
                 first_provider);

  core::Action action = run.ledger.start(deps.clock.wall_now());
  while (true) {
    record_notes(run, action.notes, deps.clock.wall_now());
    switch (action.kind) {
      case core::ActionKind::Pick:
        action = co_await do_pick(run);
        break;
      case core::ActionKind::Send:
        action = co_await do_send(run, action.retry);
        break;
      case core::ActionKind::Wait:
        action = co_await do_wait(run, action.wait);
        break;
      case core::ActionKind::Mark:
        action = co_await do_mark(run, std::move(*action.mark));
        break;
      case core::ActionKind::Refresh:
        action = do_refresh(run);
        break;
      case core::ActionKind::Relay:
        co_await do_relay(run);
        co_return run.outcome;
      case core::ActionKind::PassThrough:
        co_await do_pass_through(run);
        co_return run.outcome;
      case core::ActionKind::Answer:
        co_await do_answer(run, action);
        co_return run.outcome;
      case core::ActionKind::Stop:
        co_return run.outcome;
    }
  }
}

}  // namespace credpool::gateway
