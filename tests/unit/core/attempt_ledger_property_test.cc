// Seeded random event streams against the attempt ledger, checking after every action that an
// attempt's consequences touch only its own pool and credential, that a request fault (or an
// unknown failure, an aggregator's upstream trouble, a 5xx, a transport error) never marks, and
// that every request ends within a bound (STYLE.md §9).
#include <gtest/gtest.h>

#include "core/ledger/attempt_ledger.h"
#include "support/failures.h"

namespace credpool::core {
namespace {

using fixtures::kNoon;

constexpr int kRequests = 3000;
constexpr int kMaxActions = 2000;

const FailureReason kReasons[] = {FailureReason::RateLimit,
                                  FailureReason::Quota,
                                  FailureReason::Auth,
                                  FailureReason::Forbidden,
                                  FailureReason::UpstreamRateLimit,
                                  FailureReason::UpstreamBlocked,
                                  FailureReason::Overloaded,
                                  FailureReason::Server,
                                  FailureReason::ContextOverflow,
                                  FailureReason::ContentPolicy,
                                  FailureReason::BadRequest,
                                  FailureReason::Unknown};

bool credential_at_fault(FailureReason reason) {
  return reason == FailureReason::RateLimit || reason == FailureReason::Quota ||
         reason == FailureReason::Auth || reason == FailureReason::Forbidden;
}

struct Event {
  enum Kind { Clean, Fail, Transport, Timeout, Gone } kind = Clean;
  FailureReason reason = FailureReason::Unknown;
};

Event random_event(SplitMixRandom& random) {
  const auto roll = random.below(100);
  if (roll < 8) return {Event::Clean};
  if (roll < 14) return {Event::Transport};
  if (roll < 16) return {Event::Timeout};
  if (roll < 17) return {Event::Gone};
  return {Event::Fail, kReasons[random.below(std::size(kReasons))]};
}

TEST(AttemptLedgerProperty, ConsequencesStayWithTheirAttemptAndRequestFaultsNeverMark) {
  const std::uint64_t seed = 20261202;
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  SplitMixRandom random(seed);
  const std::vector<std::string> providers = {"openai", "openrouter", "anthropic"};

  for (int request = 0; request < kRequests; ++request) {
    std::vector<LedgerStep> steps;
    const auto count = 1 + random.below(3);
    for (std::uint64_t i = 0; i < count; ++i) {
      steps.push_back({providers[random.below(providers.size())], "m", false, {}});
    }
    AttemptLedger ledger(steps, random.below(1u << 30));
    Action action = ledger.start(kNoon);
    std::optional<FailureReason> last_reason;
    std::string last_provider;
    std::string last_credential;
    int picks = 0;
    bool ended = false;
    for (int n = 0; n < kMaxActions && !ended; ++n) {
      switch (action.kind) {
        case ActionKind::Pick: {
          ++picks;
          const bool some = random.below(4) != 0;
          PickedFacts facts{"c" + std::to_string(random.below(5)), "label",
                            random.below(3) == 0 ? AuthType::OAuth : AuthType::ApiKey, 0};
          action = some ? ledger.on_picked(facts, {}, kNoon)
                        : ledger.on_picked(std::nullopt, {1, kNoon, {}}, kNoon);
          break;
        }
        case ActionKind::Send: {
          last_provider = ledger.step().provider;
          last_credential = ledger.credential().id;
          const Event e = random_event(random);
          const bool another = random.below(2) == 0;
          last_reason.reset();
          switch (e.kind) {
            case Event::Clean:
              action = ledger.on_clean_response();
              break;
            case Event::Fail:
              last_reason = e.reason;
              action = ledger.on_failure(fixtures::failure(e.reason, 400), another, kNoon);
              break;
            case Event::Transport:
              last_reason = FailureReason::Server;
              action = ledger.on_transport_error(false, another, kNoon);
              break;
            case Event::Timeout:
              last_reason = FailureReason::Timeout;
              action = ledger.on_transport_error(true, another, kNoon);
              break;
            case Event::Gone:
              action = ledger.on_client_gone();
              break;
          }
          if (action.kind == ActionKind::Mark) {
            ASSERT_TRUE(last_reason && credential_at_fault(*last_reason))
                << "a mark after " << (last_reason ? to_string(*last_reason) : "nothing");
            ASSERT_EQ(action.mark->provider, last_provider);
            ASSERT_EQ(action.mark->credential_id, last_credential);
          }
          break;
        }
        case ActionKind::Wait:
          action = ledger.on_waited(action.wait, kNoon);
          break;
        case ActionKind::Mark:
          action = ledger.on_marked(kNoon);
          break;
        case ActionKind::Refresh:
          action = ledger.on_refreshed(random.below(2) == 0, random.below(2) == 0, kNoon);
          if (action.kind == ActionKind::Mark) {
            ASSERT_EQ(action.mark->credential_id, last_credential);
          }
          break;
        case ActionKind::Relay:
        case ActionKind::PassThrough:
        case ActionKind::Answer:
        case ActionKind::Stop:
          ended = true;
          break;
      }
    }
    ASSERT_TRUE(ended) << "request " << request << " did not end";
    ASSERT_LE(ledger.attempts(),
              static_cast<int>(steps.size()) * AttemptLedger::kMaxAttemptsPerStep);
    (void)picks;
  }
}

}  // namespace
}  // namespace credpool::core
