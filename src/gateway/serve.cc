#include "gateway/serve.h"

#include <csignal>
#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

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

// Open connections get this long to finish after a signal (STYLE.md §6 "bounded wait").
constexpr auto kShutdownGrace = std::chrono::seconds(5);

int fail(const std::string& message) {
  fmt::print(stderr, "credpool: {}\n", message);
  return 1;
}

}  // namespace

int run_gateway(const config::Config& config, store::Store& store, core::Clock& clock,
                std::string listen, std::optional<std::filesystem::path> journal_home) {
  // stdout carries only the "listening" line (scripts parse it); logs go to stderr unless the
  // CLI installed its own logger.
  // The logger is asynchronous: a write to stderr is blocking I/O, which must not run on an io
  // thread (STYLE.md §6), and a mutex-guarded sink made every request contend for it. The queue
  // blocks when full rather than dropping lines.
  if (spdlog::default_logger()->name().empty()) {
    constexpr std::size_t kLogQueue = 8192;
    spdlog::init_thread_pool(kLogQueue, 1);
    spdlog::set_default_logger(
        spdlog::create_async<spdlog::sinks::stderr_color_sink_mt>("credpool"));
  }
  auto address = config::parse_listen(listen);
  if (!address) return fail(address.error().message);

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
  if (journal) {
    credentials.set_journal([&journal](const std::vector<JournalEvent>& events) {
      if (auto written = journal->append(events); !written) {
        spdlog::warn("event=journal_write_failed error=\"{}\"", written.error().message);
      }
    });
  }
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

  http::ServerOptions options;
  options.max_body_bytes = static_cast<std::size_t>(config.max_body_bytes);
  options.too_large_body = [&gateway](const http::IncomingRequest& r) {
    return gateway.too_large_body(r);
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
  const bool v6 = address->host.find(':') != std::string::npos;
  fmt::print("credpool listening on http://{}{}{}:{}\n", v6 ? "[" : "", address->host,
             v6 ? "]" : "", bound.port);
  std::fflush(stdout);
  spdlog::info("event=listening host={} port={}", address->host, bound.port);

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("event=shutdown signal={}", signal);

  server.stop();
  if (!server.wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(kShutdownGrace))) {
    spdlog::warn("event=shutdown_connections_left count={}", server.open_connections());
  }
  runtime.stop();
  runtime.join();
  credentials.stop();  // flushes request counts and drains queued writes
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace credpool::gateway
