#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/cooldown_policy.h"
#include "core/credential.h"
#include "core/failure.h"

namespace credpool::core {

// One step of a request's route, as the attempt ledger sees it.
struct LedgerStep {
  std::string provider;  // pool key of this step ("openai", "custom:lab")
  std::string model;     // model sent upstream
  // The step's provider speaks another wire than the client: skipped (no translation, DESIGN).
  bool wire_mismatch = false;
  CooldownPolicy cooldowns;  // this provider's cooldown table
};

// What the ledger needs to know of the credential a pick returned (the secret stays outside).
struct PickedFacts {
  std::string id;
  std::string label;
  AuthType auth_type = AuthType::ApiKey;
  int failure_streak = 0;
};

// Why one credential of a pool cannot be used now (never a secret).
struct UnusableCredential {
  std::string label;
  std::string reason;             // failure reason, "model_cooldown" or "unavailable"
  std::optional<WallTime> until;  // none: dead, or without a secret
  friend bool operator==(const UnusableCredential&, const UnusableCredential&) = default;
};

// Why a pool had nothing to give when asked for a credential.
struct PoolShortage {
  std::size_t configured = 0;              // credentials the pool holds, usable or not
  std::optional<WallTime> earliest_reset;  // none: nothing will come back on its own
  std::vector<UnusableCredential> credentials;
};

// What the ledger asks the gateway to record against the attempt's own credential.
struct MarkOrder {
  std::string provider;  // always the attempt's own pool
  std::string credential_id;
  // Model-scoped: cool `model` of this credential until exhaustion.resets_at; else the whole
  // credential gets `exhaustion` (cooling, or dead).
  bool model_scoped = false;
  std::string model;
  Exhaustion exhaustion;
  std::string_view note;  // for people ("re-auth required"); static storage
};

// Journal-worthy things the ledger decided, beside its actions.
enum class NoteKind { Mark, Dead, Rotate, Fallback, Unclassified };
std::string_view to_string(NoteKind kind);  // "mark", "dead", "rotate", "fallback", "unclassified"

struct Note {
  NoteKind kind = NoteKind::Mark;
  std::string provider;  // of the attempt (for a fallback: the step left)
  std::string credential_id;
  std::string label;
  std::string reason;  // a failure reason name, "no_usable_credential" or "wire_mismatch"
  std::optional<Failure> failure;  // the failure behind it, when there was one
  std::optional<WallTime> resets_at;
  std::optional<ResetSource> reset_source;
  std::string to_provider;  // fallback only: the next step's provider and model
  std::string to_model;
  std::string model;  // a model-scoped mark: the model cooled
};

// The errors credpool answers with itself at the end of a route.
enum class OwnAnswer {
  CredentialsExhausted,  // 429, Retry-After = earliest reset
  CredentialsMissing,    // 503: no credential configured for the routed provider(s)
  UpstreamUnreachable,   // 502
  UpstreamTimeout,       // 504
};
std::string_view to_string(OwnAnswer answer);

// The ledger's next instruction to the gateway.
enum class ActionKind {
  Pick,         // pick a credential of step().provider for step().model; report on_picked
  Send,         // send the request with the current credential; report the outcome
  Wait,         // sleep `wait`, then report on_waited (the same credential is sent again)
  Mark,         // apply `mark` (durably, before the response ends); report on_marked
  Refresh,      // refresh the current OAuth credential; report on_refreshed
  Relay,        // the upstream answered cleanly: relay it; the request is over
  PassThrough,  // answer with the last upstream answer, unchanged; the request is over
  Answer,       // answer with credpool's own error `own`; the request is over
  Stop,         // the client is gone: stop; the request is over
};
std::string_view to_string(ActionKind kind);
std::ostream& operator<<(std::ostream& os, ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::Stop;
  std::chrono::milliseconds wait{0};  // Wait
  // Send: true when this send is a retry of the credential just sent (the pick counted the
  // first use; a retry counts one more attempt, DESIGN "request_count").
  bool retry = false;
  std::optional<MarkOrder> mark;                    // Mark
  OwnAnswer own = OwnAnswer::UpstreamUnreachable;   // Answer
  std::string message;                              // Answer: the error message (never a secret)
  std::optional<std::chrono::seconds> retry_after;  // Answer: CredentialsExhausted only
  std::vector<Note> notes;  // to journal (and count) when the action is taken, in order
};

}  // namespace credpool::core
