#include "cli/context.h"

#include <ostream>

namespace credpool::cli {

int fail(const Context& ctx, const Error& error) {
  ctx.err << "credpool: " << error.message << "\n";
  return kExitFailure;
}

}  // namespace credpool::cli
