#include "core/ledger/attempt_ledger.h"

#include <algorithm>
#include <utility>

namespace credpool::core {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kNoUsableCredential = "no_usable_credential";
constexpr std::string_view kWireMismatch = "wire_mismatch";

bool is_transient(FailureReason reason) {
  return reason == FailureReason::Overloaded || reason == FailureReason::Server;
}

Failure transport_failure_of(bool timeout) {
  Failure f;
  f.reason = timeout ? FailureReason::Timeout : FailureReason::Server;
  f.error_code = timeout ? "upstream_timeout" : "upstream_unreachable";
  f.message = timeout ? "upstream did not answer in time" : "upstream unreachable";
  return f;
}

Action ending(ActionKind kind) {
  Action a;
  a.kind = kind;
  return a;
}

Action own_answer(OwnAnswer own, std::string message) {
  Action a;
  a.kind = ActionKind::Answer;
  a.own = own;
  a.message = std::move(message);
  return a;
}

}  // namespace

AttemptLedger::AttemptLedger(std::vector<LedgerStep> steps, std::uint64_t jitter_seed)
    : steps_(std::move(steps)), random_(jitter_seed) {}

Action AttemptLedger::start(WallTime now) {
  std::vector<Note> notes;
  while (step_ < steps_.size() && steps_[step_].wire_mismatch) {
    Note skipped;
    skipped.kind = NoteKind::Fallback;
    skipped.provider = steps_[step_].provider;
    skipped.reason = std::string(kWireMismatch);
    if (step_ + 1 < steps_.size()) {
      skipped.to_provider = steps_[step_ + 1].provider;
      skipped.to_model = steps_[step_ + 1].model;
    }
    notes.push_back(std::move(skipped));
    ++step_;
  }
  first_step_ = step_;
  if (step_ >= steps_.size()) {
    Action end = route_end(now);
    end.notes = std::move(notes);
    return end;
  }
  return pick(std::move(notes));
}

Action AttemptLedger::on_picked(const std::optional<PickedFacts>& picked,
                                const PoolShortage& shortage, WallTime now) {
  if (over_) return ending(ActionKind::Stop);
  if (!picked) {
    shortages_[step().provider] = shortage;
    return next_step(fallback_reason_, now);
  }
  if (tried_.count(picked->id) != 0 || step_attempts_ >= kMaxAttemptsPerStep) {
    // The pool still has something, but only what this request already tried: the step ends
    // on its last answer, not for lack of credentials.
    any_step_served_ = true;
    return next_step(fallback_reason_, now);
  }
  current_ = *picked;
  has_current_ = true;
  tried_.insert(picked->id);
  return send(false);
}

Action AttemptLedger::on_clean_response() {
  over_ = true;
  return ending(ActionKind::Relay);
}

Action AttemptLedger::on_failure(const Failure& failure, bool another_usable, WallTime now) {
  if (over_) return ending(ActionKind::Stop);
  last_ = Last::Upstream;
  last_failure_ = failure;
  return decide(failure, another_usable, false, now);
}

Action AttemptLedger::on_transport_error(bool timeout, bool another_usable, WallTime now) {
  if (over_) return ending(ActionKind::Stop);
  last_ = timeout ? Last::Timeout : Last::Transport;
  last_failure_ = transport_failure_of(timeout);
  return decide(*last_failure_, another_usable, false, now);
}

Action AttemptLedger::on_waited(milliseconds slept, WallTime /*now*/) {
  if (over_) return ending(ActionKind::Stop);
  waited_ += slept;
  return send(true);
}

Action AttemptLedger::on_marked(WallTime now) {
  if (over_) return ending(ActionKind::Stop);
  return after_mark(now);
}

Action AttemptLedger::on_refreshed(bool ok, bool another_usable, WallTime now) {
  if (over_) return ending(ActionKind::Stop);
  if (ok) return send(true);
  return decide(*last_failure_, another_usable, /*refresh_failed=*/true, now);
}

Action AttemptLedger::on_client_gone() {
  over_ = true;
  return ending(ActionKind::Stop);
}

Action AttemptLedger::decide(const Failure& failure, bool another_usable, bool refresh_failed,
                             WallTime now) {
  Tries& mine = tries_[current_.id];
  const AttemptContext context{.another_credential_usable = another_usable,
                               .auth_type = current_.auth_type,
                               .rate_limits_on_this_credential = mine.rate_limits,
                               .transient_retries_on_this_credential = mine.transients,
                               .refreshes_done = mine.refreshes,
                               .refresh_failed = refresh_failed,
                               .failure_streak = current_.failure_streak,
                               .waited_so_far = waited_};
  const Recovery recovery = decide_recovery(failure, context, step().cooldowns, now);
  if (failure.reason == FailureReason::RateLimit) mine.rate_limits += 1;
  return follow(recovery, failure, now);
}

Action AttemptLedger::follow(const Recovery& recovery, const Failure& failure, WallTime now) {
  if (recovery.next != NextStep::ReturnToClient) {
    fallback_reason_ = std::string(to_string(failure.reason));
  }
  if (recovery.cooldown) {
    MarkOrder order;
    order.provider = step().provider;
    order.credential_id = current_.id;
    order.model_scoped = recovery.model_scoped;
    order.model = recovery.model_scoped ? step().model : std::string();
    order.exhaustion = make_exhaustion(failure, *recovery.cooldown, now);
    order.note = recovery.note;
    Note marked = note(order.exhaustion.dead ? NoteKind::Dead : NoteKind::Mark, failure);
    if (!order.exhaustion.dead) marked.resets_at = order.exhaustion.resets_at;
    marked.reset_source = order.exhaustion.reset_source;
    marked.model = order.model;
    pending_ = recovery.next;
    Action a;
    a.kind = ActionKind::Mark;
    a.mark = std::move(order);
    a.notes.push_back(std::move(marked));
    return a;
  }
  switch (recovery.next) {
    case NextStep::RotateNow:
      return pick({note(NoteKind::Rotate, failure)});
    case NextStep::RetrySameAfter: {
      Tries& mine = tries_[current_.id];
      if (is_transient(failure.reason)) mine.transients += 1;
      const milliseconds room = kMaxTotalWait - waited_;
      if (recovery.wait > room) {  // decide_recovery keeps within budget; never sleep past it
        any_step_served_ = true;
        return next_step(fallback_reason_, now);
      }
      Action a;
      a.kind = ActionKind::Wait;
      a.wait = jittered(recovery.wait, room, random_);
      return a;
    }
    case NextStep::RefreshThenRetry:
      tries_[current_.id].refreshes += 1;
      return ending(ActionKind::Refresh);
    case NextStep::FallBack:
      any_step_served_ = true;  // the step ends on this answer, not for lack of credentials
      return next_step(fallback_reason_, now);
    case NextStep::ReturnToClient: {
      over_ = true;
      if (last_ == Last::Timeout) {
        return own_answer(OwnAnswer::UpstreamTimeout, "upstream did not answer in time");
      }
      Action a = ending(ActionKind::PassThrough);
      if (failure.reason == FailureReason::Unknown) {
        a.notes.push_back(note(NoteKind::Unclassified, failure));
      }
      return a;
    }
  }
  return next_step(fallback_reason_, now);
}

Action AttemptLedger::after_mark(WallTime /*now*/) {
  // Whatever the table said after a mark (rotate, or fall back because no sibling looked
  // usable), ask the pool again: a sibling that came back, or one a concurrent request's mark
  // made the better choice, is still this request's to use. A pool with nothing left ends the
  // step as exhausted.
  std::vector<Note> notes;
  if (pending_ == NextStep::RotateNow && last_failure_) {
    notes.push_back(note(NoteKind::Rotate, *last_failure_));
  }
  return pick(std::move(notes));
}

Action AttemptLedger::send(bool retry) {
  ++attempts_;
  ++step_attempts_;
  Action a;
  a.kind = ActionKind::Send;
  a.retry = retry;
  return a;
}

Action AttemptLedger::pick(std::vector<Note> notes) {
  Action a;
  a.kind = ActionKind::Pick;
  a.notes = std::move(notes);
  return a;
}

Action AttemptLedger::next_step(std::string reason, WallTime now) {
  std::vector<Note> notes;
  std::size_t next = step_ + 1;
  while (next < steps_.size() && steps_[next].wire_mismatch) ++next;
  for (std::size_t skipped = step_ + 1; skipped < next; ++skipped) {
    Note n;
    n.kind = NoteKind::Fallback;
    n.provider = steps_[skipped].provider;
    n.reason = std::string(kWireMismatch);
    notes.push_back(std::move(n));
  }
  if (next >= steps_.size()) {
    Action end = route_end(now);
    end.notes.insert(end.notes.begin(), notes.begin(), notes.end());
    return end;
  }
  Note fallback;
  fallback.kind = NoteKind::Fallback;
  fallback.provider = step().provider;
  if (has_current_) {
    fallback.credential_id = current_.id;
    fallback.label = current_.label;
  }
  fallback.reason = std::move(reason);
  fallback.to_provider = steps_[next].provider;
  fallback.to_model = steps_[next].model;
  notes.insert(notes.begin(), std::move(fallback));

  step_ = next;
  current_ = PickedFacts{};
  has_current_ = false;
  tries_.clear();
  tried_.clear();
  step_attempts_ = 0;
  fallback_reason_ = std::string(kNoUsableCredential);
  return pick(std::move(notes));
}

Action AttemptLedger::route_end(WallTime now) {
  over_ = true;
  if (!any_step_served_ && !shortages_.empty()) {
    const bool all_missing =
        std::all_of(shortages_.begin(), shortages_.end(),
                    [](const auto& entry) { return entry.second.configured == 0; });
    if (all_missing) {
      return own_answer(OwnAnswer::CredentialsMissing, shortage_message(shortages_));
    }
    std::optional<WallTime> earliest;
    for (const auto& [pool, shortage] : shortages_) {
      if (shortage.earliest_reset && (!earliest || *shortage.earliest_reset < *earliest)) {
        earliest = shortage.earliest_reset;
      }
    }
    Action a = own_answer(OwnAnswer::CredentialsExhausted, shortage_message(shortages_));
    // Whole seconds, rounded up, at least 1 (RFC 9110 Retry-After is an integer of seconds).
    seconds retry_after = kSoleCooldown;
    if (earliest) retry_after = std::chrono::ceil<seconds>(*earliest - now);
    a.retry_after = std::max(retry_after, seconds(1));
    return a;
  }
  switch (last_) {
    case Last::Upstream:
      return ending(ActionKind::PassThrough);
    case Last::Transport:
      return own_answer(OwnAnswer::UpstreamUnreachable, "upstream unreachable");
    case Last::Timeout:
      return own_answer(OwnAnswer::UpstreamTimeout, "upstream did not answer in time");
    case Last::Nothing:
      break;
  }
  return own_answer(OwnAnswer::UpstreamUnreachable,
                    "no route step for this request speaks the client's wire");
}

Note AttemptLedger::note(NoteKind kind, const Failure& failure) const {
  Note n;
  n.kind = kind;
  n.provider = step().provider;
  n.credential_id = current_.id;
  n.label = current_.label;
  n.reason = std::string(to_string(failure.reason));
  n.failure = failure;
  return n;
}

}  // namespace credpool::core
