#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/failure.h"
#include "core/ledger/ledger_action.h"
#include "core/random.h"
#include "core/recovery_policy.h"

namespace credpool::core {

// The whole decision of one request, as a state machine: the route comes in at construction,
// events come in one at a time (a pick, an upstream outcome, a wait or mark done), and each
// returns the next Action. Every rule of DESIGN.md's recovery table is applied here (through
// decide_recovery) and nowhere else; the gateway only executes actions.
//
// Invariants:
// - A Mark names the current step's provider and the credential of the attempt that failed,
//   never another pool's (a fallback's failure cannot touch the primary pool).
// - A request fault (bad_request, context_overflow, content_policy), an unknown failure, an
//   upstream_rate_limit/upstream_blocked answer, a 5xx or a transport error never marks.
// - Rotating never spends the retry budget; a step ends when its pool gives nothing new (or a
//   credential already tried), and no step makes more than kMaxAttemptsPerStep attempts.
//
// Pure: no I/O, no clock (every event carries `now`), chance from a seeded generator.
// Not thread-safe: one ledger per request.
class AttemptLedger {
 public:
  // No step makes more attempts than this, whatever happens (reference §3.4: a 429 loop).
  static constexpr int kMaxAttemptsPerStep = 64;

  // `jitter_seed` seeds the retry-wait jitter of this request.
  AttemptLedger(std::vector<LedgerStep> steps, std::uint64_t jitter_seed);

  // Returns the first action: Pick on the first step not skipped, or the route-end answer.
  Action start(WallTime now);
  // Reports a pick: the credential drawn, or none with why the pool had nothing (`shortage`).
  Action on_picked(const std::optional<PickedFacts>& picked, const PoolShortage& shortage,
                   WallTime now);
  // Reports that the upstream answered cleanly (2xx that is not a soft failure).
  Action on_clean_response();
  // Reports a classified failed answer of the current credential. `another_usable`: a credential
  // of this pool other than the current one is usable now for this step's model.
  Action on_failure(const Failure& failure, bool another_usable, WallTime now);
  // Reports that the upstream could not be reached or broke before answering (`timeout`: no
  // answer within the deadline). `another_usable` as for on_failure.
  Action on_transport_error(bool timeout, bool another_usable, WallTime now);
  // Reports that a Wait action's sleep ended.
  Action on_waited(std::chrono::milliseconds slept, WallTime now);
  // Reports that a Mark action was applied.
  Action on_marked(WallTime now);
  // Reports the end of a Refresh action; `ok`: new tokens are in place.
  Action on_refreshed(bool ok, bool another_usable, WallTime now);
  // Reports that the client went away.
  Action on_client_gone();

  // Returns the step in progress; valid only while has_step().
  const LedgerStep& step() const { return steps_[step_]; }
  // Returns the index of the step in progress in the route given at construction.
  std::size_t step_index() const { return step_; }
  // Returns true when a step is in progress (false for an empty or fully skipped route).
  bool has_step() const { return step_ < steps_.size(); }
  // Returns the credential of the attempt in progress.
  const PickedFacts& credential() const { return current_; }
  // Returns how many upstream sends were asked for so far.
  int attempts() const { return attempts_; }
  // Returns true when the route has more than one provider step and this one is not the first.
  bool fell_back() const { return step_ > first_step_; }

 private:
  struct Tries {
    int rate_limits = 0;
    int transients = 0;
    int refreshes = 0;
  };
  enum class Last { Nothing, Upstream, Transport, Timeout };

  Action decide(const Failure& failure, bool another_usable, bool refresh_failed, WallTime now);
  Action follow(const Recovery& recovery, const Failure& failure, WallTime now);
  Action after_mark(WallTime now);
  Action send(bool retry);
  Action pick(std::vector<Note> notes);
  Action next_step(std::string reason, WallTime now);
  Action route_end(WallTime now);
  Note note(NoteKind kind, const Failure& failure) const;

  std::vector<LedgerStep> steps_;
  SplitMixRandom random_;
  std::size_t step_ = 0;
  std::size_t first_step_ = 0;
  PickedFacts current_;
  bool has_current_ = false;
  std::map<std::string, Tries> tries_;  // this step's credentials
  std::set<std::string> tried_;         // ids picked in this step
  int step_attempts_ = 0;
  int attempts_ = 0;
  std::chrono::milliseconds waited_{0};
  Last last_ = Last::Nothing;
  std::optional<Failure> last_failure_;
  NextStep pending_ = NextStep::FallBack;  // what follows the Mark in progress
  std::string fallback_reason_ = "no_usable_credential";
  // Steps that ended because their pool had nothing usable, with why; a step that ended
  // otherwise sets any_step_served_.
  std::map<std::string, PoolShortage> shortages_;
  bool any_step_served_ = false;
  bool over_ = false;
};

// Builds the message of credpool's own 429/503 from each pool's shortage, e.g.
// "No usable credential: openai: work (rate_limit until 2026-12-02T10:00:00Z), backup (quota ...)".
// Pools with no credential at all read "no credentials for P: add one with `credpool auth add P`".
std::string shortage_message(const std::map<std::string, PoolShortage>& shortages);

}  // namespace credpool::core
