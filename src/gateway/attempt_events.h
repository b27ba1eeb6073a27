#pragma once

#include <string>

#include "core/clock.h"
#include "core/failure.h"
#include "gateway/credential_service.h"
#include "gateway/journal.h"

namespace credpool::gateway {

// Builds the journal event of one failed attempt: its own provider and credential, the
// failure's status, reason, provider code and message. The credential's secret is masked out of
// the code and message (a provider may echo the key it was sent). Pure.
JournalEvent attempt_event(JournalKind kind, const std::string& request_id,
                           const std::string& provider, const PickedCredential& credential,
                           const core::Failure& failure, core::WallTime now);

}  // namespace credpool::gateway
