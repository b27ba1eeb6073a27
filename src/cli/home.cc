#include "cli/home.h"

#include <cstdlib>
#include <string>

namespace credpool::cli {

Result<Home> find_home() {
  if (const char* explicit_home = std::getenv("CREDPOOL_HOME");
      explicit_home != nullptr && *explicit_home != '\0') {
    return Home{std::filesystem::path(explicit_home)};
  }
  const char* user_home = std::getenv("HOME");
  if (user_home == nullptr || *user_home == '\0') {
    return Error{ErrorCode::NotFound, "neither CREDPOOL_HOME nor HOME is set"};
  }
  return Home{std::filesystem::path(user_home) / ".credpool"};
}

std::filesystem::path config_path(const Home& home,
                                  const std::optional<std::filesystem::path>& flag) {
  return flag ? *flag : home.default_config_file();
}

}  // namespace credpool::cli
