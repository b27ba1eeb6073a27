#pragma once

#include <span>

#include "store/store.h"

namespace credpool::store {

// Applies one mutation to `snapshot` with the cross-process merge rules (pure, no I/O):
// - AddCredential: see store.h; a pool key seen for the first time is created.
// - RemoveCredential: removes and renumbers; an env:/config: source joins suppressed_sources.
// - MarkExhausted: ignored when the row's status_cleared_at is after the mark's `at` (a
//   reset happened after the failure); keeps a live exhaustion that ends later (a dead one ends
//   never) instead of replacing it.
// - SetModelCooldown keeps the later time (ignored when reset after `at`); ResetCredential
//   clears exhaustion, model cooldowns and streak and sets status_cleared_at (never before the
//   failure it clears). Marks and resets apply to every row of the pool with the same secret
//   fingerprint. AddRequestCount adds; MoveCredential clamps, shifts and renumbers;
//   UpdateTokens sets tokens (an empty refresh_token keeps the stored one: not every provider
//   rotates it) and clears an auth exhaustion.
// Returns false when the mutation was skipped (unknown pool or id, duplicate id).
bool apply_mutation(Snapshot& snapshot, const Mutation& mutation);

// Returns a row's secret fingerprint: of its secret when it holds one, else the stored one of a
// borrowed row; empty when neither is known.
std::string fingerprint_of(const PoolRecord& pool, const core::Credential& credential);

// Applies each mutation in order; skipped ones are ignored.
void apply_mutations(Snapshot& snapshot, std::span<const Mutation> mutations);

}  // namespace credpool::store
