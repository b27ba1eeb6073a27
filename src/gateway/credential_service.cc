#include "gateway/credential_service.h"

#include <utility>

namespace credpool::gateway {

CredentialService::CredentialService(store::Store& store, const core::Clock& clock,
                                     std::map<std::string, core::Strategy> strategy_overrides,
                                     Hydrate hydrate, std::uint64_t seed)
    : registry_(std::move(strategy_overrides), seed),
      writer_(store, clock, registry_, std::move(hydrate)) {}

void CredentialService::start(const store::Snapshot& initial) {
  registry_.rebuild(initial, {});
  writer_.start();
}

void CredentialService::record_exhaustion(const std::string& pool, const std::string& id,
                                          const core::Exhaustion& exhaustion, Done done) {
  const bool queued = registry_.mark(pool, id, exhaustion, [this, &done](store::Mutation m) {
    writer_.enqueue(std::move(m), std::move(done));
  });
  if (!queued && done) done(true);  // nothing to persist: the row is gone
}

void CredentialService::record_model_cooldown(const std::string& pool, const std::string& id,
                                              const std::string& model, core::WallTime until,
                                              core::WallTime at, Done done) {
  const bool queued = registry_.mark_model(
      pool, id, model, until, at,
      [this, &done](store::Mutation m) { writer_.enqueue(std::move(m), std::move(done)); });
  if (!queued && done) done(true);
}

void CredentialService::record_success(const std::string& pool, const std::string& id) {
  registry_.record_success(pool, id,
                           [this](store::Mutation m) { writer_.enqueue(std::move(m), {}); });
}

}  // namespace credpool::gateway
