#include <cerrno>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/loaded_pool.h"
#include "cli/session.h"
#include "config/config.h"
#include "config/strategy_writer.h"
#include "core/strategy.h"
#include "store/atomic_file.h"

namespace credpool::cli {

namespace {

// Sets credential_pool_strategies.<pool_key> in the config file, where Hermes Agent reads it too
// (DESIGN.md), changing nothing else in the file. A missing file is created (mode 0600, like
// auth.json); an existing one keeps its mode. Fails with Io or with the editor's message.
Result<void> write_strategy(const std::filesystem::path& path, const std::string& pool_key,
                            core::Strategy strategy) {
  std::string text;
  unsigned mode = 0600;
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) {
    mode = static_cast<unsigned>(info.st_mode) & 07777U;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (!in.is_open() || in.bad()) {
      return Error{ErrorCode::Io, fmt::format("cannot read {}", path.string())};
    }
    text = buffer.str();
  } else if (errno != ENOENT) {
    return Error{ErrorCode::Io, fmt::format("cannot read {}", path.string())};
  }
  Result<std::string> edited = config::set_pool_strategy(text, pool_key, to_string(strategy));
  if (!edited) {
    return Error{edited.error().code, path.string() + ": " + edited.error().message};
  }
  if (*edited == text) return ok();
  std::error_code ec;
  if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
    if (Result<void> dir = store::ensure_private_dir(path.parent_path()); !dir) return dir;
  }
  return store::write_file_atomically(path, *edited, mode);
}

}  // namespace

int auth_strategy(const Context& ctx, const AuthStrategyArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<LoadedPool> loaded = load_pool(*session, args.provider);
  if (!loaded) return fail(ctx, loaded.error());

  if (!args.name) {
    ctx.out << core::to_string(loaded->pool.strategy()) << "\n";
    return kExitOk;
  }
  const std::optional<core::Strategy> chosen = core::parse_strategy(*args.name);
  if (!chosen) {
    return fail(ctx, {ErrorCode::InvalidArgument,
                      fmt::format("unknown strategy '{}'; choose fill_first, round_robin, "
                                  "least_used or random",
                                  *args.name)});
  }
  const std::filesystem::path path = config_path(ctx.home, ctx.config_flag);
  if (Result<void> written = write_strategy(path, loaded->home_key, *chosen); !written) {
    return fail(ctx, written.error());
  }
  ctx.out << fmt::format("Set {} strategy to {} (in {})\n", loaded->home_key,
                         core::to_string(*chosen), path.string());
  return kExitOk;
}

}  // namespace credpool::cli
