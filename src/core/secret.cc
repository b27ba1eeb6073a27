#include "core/secret.h"

namespace credpool::core {

std::string mask_secret(std::string_view secret) {
  // Under 12 characters, 7 revealed characters would be most of the secret.
  if (secret.size() < 12) return "****";
  std::string out(secret.substr(0, 3));
  out += "...";
  out += secret.substr(secret.size() - 4);
  return out;
}

}  // namespace credpool::core
