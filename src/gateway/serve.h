#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "store/store.h"

namespace credpool::gateway {

// Runs `credpool serve`: loads and seeds the pools (warning once per routed provider that has no
// credential), starts the store thread, the io threads (hardware_concurrency) and the server on
// `listen` (host:port, port 0 allowed) with config `limits`, prints exactly
// `credpool listening on http://HOST:PORT` on stdout, and blocks until SIGINT or SIGTERM. Then
// closes the listener at once, lets requests and streams under way finish for
// `limits.shutdown_grace` (a second signal cuts that short), cuts the rest, flushes request counts
// and joins the store thread. Returns 0 after a clean shutdown, 1 when the store cannot be loaded
// or the address cannot be bound (the reason on stderr). Call from the main thread, before any
// other thread exists (it blocks SIGINT/SIGTERM for the threads it starts).
//
// The journal (`<home>/events.jsonl`: marks, dead credentials, rotations, fallbacks) goes to
// `journal_home` when given, else to the FileStore's home when `store` is a FileStore; with
// neither (a Redis store and no home) no journal is written.
int run_gateway(const config::Config& config, store::Store& store, core::Clock& clock,
                std::string listen,
                std::optional<std::filesystem::path> journal_home = std::nullopt);

}  // namespace credpool::gateway
