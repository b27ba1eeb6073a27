#include "gateway/serve.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include "core/random.h"
#include "gateway/credential_service.h"
#include "gateway/gateway.h"
#include "gateway/journal.h"
#include "gateway/metrics.h"
#include "gateway/seeds.h"
#include "http/runtime.h"
#include "http/server.h"
#include "http/upstream_client.h"
#include "providers/catalogue.h"
#include "store/file_store.h"
#include "store/seeding.h"

namespace credpool::gateway {
namespace {

// After the grace, connections still open are cut; this bounds the wait for them to unwind.
constexpr auto kStopWait = std::chrono::seconds(5);
// How often the graceful stop checks for a second signal (which cuts the grace short).
constexpr auto kDrainPoll = std::chrono::milliseconds(100);

int fail(const std::string& message) {
  fmt::print(stderr, "credpool: {}\n", message);
  return 1;
}

// Returns the pool keys a request can be routed to: the two defaults, then every step of every
// route, each once, in that order.
std::vector<std::string> routed_pools(const config::Config& config) {
  std::vector<std::string> names{config.default_provider, config.default_anthropic_provider};
  for (const config::Route& route : config.routes) {
    names.push_back(route.provider);
    for (const config::RouteTarget& target : route.fallback) names.push_back(target.provider);
  }
  std::vector<std::string> pools;
  for (const std::string& name : names) {
    const std::optional<std::string> pool = config::resolve_pool_key(config, name);
    if (pool && std::find(pools.begin(), pools.end(), *pool) == pools.end()) {
      pools.push_back(*pool);
    }
  }
  return pools;
}

// Returns whether `pool` has a credential with a secret (an env row whose variable is unset has
// none). Hermes keeps OpenAI API keys under `openai-api`, an alias of `openai` (DESIGN.md).
bool has_credential(const store::Snapshot& snapshot, const std::string& pool) {
  const auto usable = [&](const std::string& key) {
    const auto it = snapshot.pools.find(key);
    if (it == snapshot.pools.end()) return false;
    return std::any_of(it->second.credentials.begin(), it->second.credentials.end(),
                       [](const core::Credential& c) {
                         return !c.access_token.empty() || !c.refresh_token.empty();
                       });
  };
  return usable(pool) || (pool == "openai" && usable("openai-api"));
}

// Warns once per routed provider that has no credential: its requests would all be answered
// 503 credentials_missing, and the line says how to fix it.
void warn_missing_credentials(const config::Config& config, const store::Snapshot& snapshot) {
  for (const std::string& pool : routed_pools(config)) {
    if (has_credential(snapshot, pool)) continue;
    spdlog::warn(
        "event=no_credentials provider={} hint=\"requests routed to {} will fail: add a key with "
        "`credpool auth add {}`\"",
        pool, pool, pool);
  }
}

// Maps config `limits` onto the server's options; every limit the server has is set here.
http::ServerOptions server_options(const config::Limits& limits) {
  http::ServerOptions options;
  options.max_body_bytes = static_cast<std::size_t>(limits.max_body_bytes);
  options.max_header_bytes = static_cast<std::size_t>(limits.max_header_bytes);
  options.header_timeout = limits.header_timeout;
  options.idle_timeout = limits.client_idle_timeout;
  options.max_connections = static_cast<std::size_t>(limits.max_connections);
  return options;
}

// Stops the server gracefully: no new connections, requests under way get `grace` to finish
// (a second signal cuts it short), then whatever is left is cut.
void drain_server(http::Server& server, std::chrono::seconds grace, const sigset_t& signals) {
  server.drain();
  const auto until = std::chrono::steady_clock::now() + grace;
  bool finished = false;
  while (!(finished = server.wait_idle(kDrainPoll)) && std::chrono::steady_clock::now() < until) {
    const timespec now{0, 0};
    if (sigtimedwait(&signals, nullptr, &now) > 0) {
      spdlog::warn("event=shutdown_forced open={}", server.open_connections());
      break;
    }
  }
  if (finished) return;
  if (std::chrono::steady_clock::now() >= until) {
    spdlog::warn("event=shutdown_grace_expired open={}", server.open_connections());
  }
  server.stop();
  if (!server.wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(kStopWait))) {
    spdlog::warn("event=shutdown_connections_left count={}", server.open_connections());
  }
}

// Raises the soft open-file limit so that `max_connections` clients (plus an upstream connection
// each, the store, the journal and the listeners) fit: a Debian login's soft limit is 1024,
// which would turn the 1025th connection into an accept() failure instead of our 503. Never
// above the hard limit; a failure is logged, not fatal.
void raise_open_file_limit(std::size_t max_connections) {
  constexpr rlim_t kSpare = 256;  // store, journal, listeners, DNS, TLS files
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(max_connections) * 2 + kSpare;
  if (limit.rlim_cur >= wanted) return;
  const rlim_t raised = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  rlimit next{raised, limit.rlim_max};
  if (raised <= limit.rlim_cur || ::setrlimit(RLIMIT_NOFILE, &next) != 0) {
    spdlog::warn("event=open_file_limit_low limit={} wanted={}", limit.rlim_cur, wanted);
    return;
  }
  spdlog::info("event=open_file_limit_raised from={} to={}", limit.rlim_cur, raised);
}

// stdout carries only the "listening" line (scripts parse it); logs go to stderr unless the
// CLI installed its own logger. The logger is asynchronous: a write to stderr is blocking I/O,
// which must not run on an io thread (STYLE.md §6), and a mutex-guarded sink made every request
// contend for it. The queue blocks when full rather than dropping lines.
void install_async_logger() {
  if (!spdlog::default_logger()->name().empty()) return;
  constexpr std::size_t kLogQueue = 8192;
  spdlog::init_thread_pool(kLogQueue, 1);
  spdlog::set_default_logger(spdlog::create_async<spdlog::sinks::stderr_color_sink_mt>("credpool"));
}

// Sends the service's journal events to `journal` (the store thread calls it).
void attach_journal(CredentialService& credentials, std::optional<JournalWriter>& journal) {
  if (!journal) return;
  credentials.set_journal([&journal](const std::vector<JournalEvent>& events) {
    if (auto written = journal->append(events); !written) {
      spdlog::warn("event=journal_write_failed error=\"{}\"", written.error().message);
    }
  });
}

// Prints the one stdout line scripts wait for, and logs it.
void announce(const config::HostPort& address, std::uint16_t port) {
  const bool v6 = address.host.find(':') != std::string::npos;
  fmt::print("credpool listening on http://{}{}{}:{}\n", v6 ? "[" : "", address.host, v6 ? "]" : "",
             port);
  std::fflush(stdout);
  spdlog::info("event=listening host={} port={}", address.host, port);
}

}  // namespace

int run_gateway(const config::Config& config, store::Store& store, core::Clock& clock,
                std::string listen, std::optional<std::filesystem::path> journal_home) {
  install_async_logger();
  auto address = config::parse_listen(listen);
  if (!address) return fail(address.error().message);
  raise_open_file_limit(config.limits.max_connections);

  // Signals are taken by sigwait on this thread only; every thread started below inherits the
  // mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto custom = config_seeds_of(config);
  const store::EnvLookup env = store::process_env();
  const auto seed = static_cast<std::uint64_t>(clock.steady_now().time_since_epoch().count());
  core::SplitMixRandom random(seed);
  auto initial = store::load_seeded(store, env_seeds_of(config), custom, env, random);
  if (!initial) return fail(initial.error().message);
  warn_missing_credentials(config, *initial);

  if (!journal_home) {
    if (const auto* file = dynamic_cast<const store::FileStore*>(&store)) {
      journal_home = file->home();
    }
  }
  // Declared before the service: its store thread writes here until credentials.stop().
  std::optional<JournalWriter> journal;
  if (journal_home) journal.emplace(*journal_home);

  CredentialService credentials(
      store, clock, config.credential_pool_strategies,
      [env, custom](store::Snapshot& s) { store::hydrate(s, env, custom); }, seed);
  attach_journal(credentials, journal);
  credentials.start(*initial);

  http::Runtime runtime(0);
  http::ClientOptions client_options;
  client_options.ca_file = config.tls_ca_file;
  http::MadeClient upstream = http::make_upstream_client(runtime, client_options);
  if (!upstream.client) {
    credentials.stop();
    return fail(upstream.error);
  }
  Metrics metrics;
  auto shared_config = std::make_shared<const config::Config>(config);
  Gateway gateway(shared_config, credentials, *upstream.client, metrics, clock, seed ^ 0x9e37);

  http::ServerOptions options = server_options(config.limits);
  options.error_answer = [&gateway](http::ServerError error, const http::IncomingRequest& r) {
    return gateway.server_error_answer(error, r);
  };
  options.log_error = [](std::string_view line) { spdlog::error("event=server_error {}", line); };
  http::Server server(runtime, options,
                      [&gateway](http::IncomingRequest& request, http::ResponseWriter& writer) {
                        return gateway.handle(request, writer);
                      });
  const http::ListenResult bound = server.listen(address->host, address->port);
  if (!bound.ok()) {
    credentials.stop();
    return fail(bound.error);
  }
  runtime.start();
  announce(*address, bound.port);

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("event=shutdown signal={}", signal);

  drain_server(server, config.limits.shutdown_grace, signals);
  runtime.stop();
  runtime.join();
  credentials.stop();  // flushes request counts and drains queued writes
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace credpool::gateway
