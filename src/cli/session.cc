#include "cli/session.h"

#include <iostream>

#include <fmt/format.h>

#include "cli/home.h"
#include "cli/input.h"
#include "gateway/seeds.h"
#include "providers/catalogue.h"
#include "store/open_store.h"
#include "store/permissions.h"

namespace credpool::cli {

struct Session::State {
  config::Config config;
  std::unique_ptr<store::Store> store;
  core::Random& random;
  std::vector<store::EnvSeed> env_seeds;
  std::vector<store::ConfigSeed> config_seeds;
  store::EnvLookup env = store::process_env();
};

Result<Session> Session::open(const Context& ctx) {
  // A missing default config.yaml means defaults, but a file named with --config must exist: a
  // typo there would otherwise run silently on defaults.
  if (ctx.config_flag) {
    std::error_code ec;
    if (!std::filesystem::exists(*ctx.config_flag, ec)) {
      return Error{ErrorCode::NotFound,
                   fmt::format("--config {}: {}", ctx.config_flag->string(),
                               ec ? ec.message() : std::string("no such file"))};
    }
  }
  std::vector<std::string> warnings;
  Result<config::Config> config =
      config::Config::load(config_path(ctx.home, ctx.config_flag), store::process_env(), &warnings);
  for (const std::string& w : warnings) ctx.err << "credpool: warning: " << w << "\n";
  if (!config) return config.error();
  Result<std::unique_ptr<store::Store>> store =
      store::open_store(config->store, ctx.home.dir, &ctx.clock);
  if (!store) return store.error();
  if (config->store.empty() || config->store == "file") {
    for (const std::string& fixed : store::repair_permissions(ctx.home.dir)) {
      ctx.err << "credpool: " << fixed << "\n";
    }
  }
  auto state =
      std::unique_ptr<State>(new State{std::move(*config), std::move(*store), ctx.random, {}, {}});
  state->env_seeds = gateway::env_seeds_of(state->config);
  state->config_seeds = gateway::config_seeds_of(state->config);
  return Session(std::move(state));
}

Session::Session(std::unique_ptr<State> state) : state_(std::move(state)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

const config::Config& Session::config() const { return state_->config; }
store::Store& Session::store() { return *state_->store; }

Result<std::string> Session::pool_key(std::string_view provider) const {
  if (std::optional<std::string> key =
          config::resolve_pool_key(state_->config, normalise_provider_name(provider))) {
    return *key;
  }
  std::vector<std::string> custom_names;
  for (const config::CustomProvider& c : state_->config.custom_providers) {
    custom_names.push_back(c.name);
  }
  std::string message = fmt::format("unknown provider '{}'", provider);
  if (auto suggestion = providers::suggest_provider(provider, custom_names)) {
    message += fmt::format("; did you mean '{}'?", *suggestion);
  }
  return Error{ErrorCode::NotFound, message};
}

Result<store::Snapshot> Session::load() {
  return store::load_seeded(*state_->store, state_->env_seeds, state_->config_seeds, state_->env,
                            state_->random);
}

Result<core::Pool> Session::pool_of(const store::Snapshot& snapshot, const std::string& key) {
  const auto it = snapshot.pools.find(key);
  const store::PoolRecord empty;
  const store::PoolRecord& record = it == snapshot.pools.end() ? empty : it->second;
  core::Strategy strategy = record.strategy.value_or(core::Strategy::FillFirst);
  if (auto forced = config::strategy_override(state_->config, key)) strategy = *forced;
  return core::Pool::from_entries(key, record.credentials, strategy, record.cursor_id,
                                  &state_->random);
}

Result<store::Snapshot> Session::apply(std::vector<store::Mutation> mutations) {
  return state_->store->apply(mutations);
}

std::vector<std::string> pool_keys(const store::Snapshot& snapshot) {
  std::vector<std::string> keys;
  for (const auto& [key, record] : snapshot.pools) keys.push_back(key);
  return keys;
}

}  // namespace credpool::cli
