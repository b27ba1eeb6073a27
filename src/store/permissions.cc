#include "store/permissions.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/stat.h>

namespace credpool::store {
namespace {

// Repairs one path whose mode grants more than `wanted`; appends what was done to `out`.
void repair(const std::filesystem::path& path, mode_t wanted, std::vector<std::string>& out) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return;  // absent: nothing to protect yet
  const mode_t mode = info.st_mode & 0777;
  if ((mode & ~wanted) == 0) return;
  if (::chmod(path.c_str(), wanted) != 0) {
    out.push_back(fmt::format("cannot fix permissions of {} ({:04o}): {}", path.string(), mode,
                              std::strerror(errno)));
    return;
  }
  out.push_back(fmt::format("fixed permissions of {} ({:04o} -> {:04o})", path.string(), mode,
                            static_cast<unsigned>(wanted)));
}

}  // namespace

std::vector<std::string> repair_permissions(const std::filesystem::path& home) {
  std::vector<std::string> out;
  repair(home, 0700, out);
  repair(home / "auth.json", 0600, out);
  return out;
}

}  // namespace credpool::store
