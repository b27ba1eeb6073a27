#include "gateway/serve.h"

#include <ostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/session.h"
#include "cli/system_clock.h"
#include "config/config.h"

namespace credpool::cli {

int serve(const Context& ctx, const ServeArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  config::Config config = session->config();
  if (args.listen) config.listen = *args.listen;  // command-line flags beat config
  if (Result<void> valid = config::validate(config); !valid) return fail(ctx, valid.error());
  // The gateway wants a mutable Clock; SystemClock is stateless, so a local one is the same clock.
  SystemClock clock;
  const std::string listen = config.listen;
  return gateway::run_gateway(config, session->store(), clock, listen);
}

}  // namespace credpool::cli
