#include "gateway/attempt_events.h"

#include "core/failure_reason.h"

namespace credpool::gateway {

JournalEvent attempt_event(JournalKind kind, const std::string& request_id,
                           const std::string& provider, const PickedCredential& credential,
                           const core::Failure& failure, core::WallTime now) {
  JournalEvent event;
  event.ts = now;
  event.event = kind;
  event.provider = provider;
  event.credential_id = credential.id;
  event.label = credential.label;
  event.status = failure.status_code;
  event.reason = std::string(core::to_string(failure.reason));
  event.error_code = scrub_secret(failure.error_code, credential.secret.reveal());
  event.message = scrub_secret(failure.message, credential.secret.reveal());
  event.request_id = request_id;
  return event;
}

}  // namespace credpool::gateway
