#include "core/ledger/ledger_action.h"

#include <map>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/ledger/attempt_ledger.h"

namespace credpool::core {

std::string_view to_string(NoteKind kind) {
  switch (kind) {
    case NoteKind::Mark:
      return "mark";
    case NoteKind::Dead:
      return "dead";
    case NoteKind::Rotate:
      return "rotate";
    case NoteKind::Fallback:
      return "fallback";
    case NoteKind::Unclassified:
      return "unclassified";
  }
  return "mark";
}

std::string_view to_string(OwnAnswer answer) {
  switch (answer) {
    case OwnAnswer::CredentialsExhausted:
      return "credentials_exhausted";
    case OwnAnswer::CredentialsMissing:
      return "credentials_missing";
    case OwnAnswer::UpstreamUnreachable:
      return "upstream_unreachable";
    case OwnAnswer::UpstreamTimeout:
      return "upstream_timeout";
  }
  return "upstream_unreachable";
}

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::Pick:
      return "pick";
    case ActionKind::Send:
      return "send";
    case ActionKind::Wait:
      return "wait";
    case ActionKind::Mark:
      return "mark";
    case ActionKind::Refresh:
      return "refresh";
    case ActionKind::Relay:
      return "relay";
    case ActionKind::PassThrough:
      return "pass_through";
    case ActionKind::Answer:
      return "answer";
    case ActionKind::Stop:
      return "stop";
  }
  return "stop";
}

std::ostream& operator<<(std::ostream& os, ActionKind kind) { return os << to_string(kind); }

std::string shortage_message(const std::map<std::string, PoolShortage>& shortages) {
  std::string cooling;
  std::string missing;
  for (const auto& [pool, shortage] : shortages) {
    if (shortage.configured == 0) {
      if (!missing.empty()) missing += "; ";
      missing += fmt::format("no credentials for {0}: add one with `credpool auth add {0}`", pool);
      continue;
    }
    cooling += cooling.empty() ? " " : "; ";
    cooling += pool + ":";
    bool first = true;
    for (const UnusableCredential& c : shortage.credentials) {
      cooling += first ? " " : ", ";
      first = false;
      cooling += fmt::format("{} ({}", c.label, c.reason);
      if (c.until) {
        cooling += fmt::format(" until {:%Y-%m-%dT%H:%M:%SZ}",
                               std::chrono::floor<std::chrono::seconds>(*c.until));
      }
      cooling += ")";
    }
    if (shortage.earliest_reset) {
      cooling += fmt::format("; the first returns at {:%Y-%m-%dT%H:%M:%SZ}",
                             std::chrono::ceil<std::chrono::seconds>(*shortage.earliest_reset));
    }
  }
  if (cooling.empty()) return missing;
  std::string out = "No usable credential:" + cooling;
  if (!missing.empty()) out += "; " + missing;
  return out;
}

}  // namespace credpool::core
