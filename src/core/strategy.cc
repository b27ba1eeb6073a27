#include "core/strategy.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace credpool::core {

std::string_view to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::FillFirst: return "fill_first";
    case Strategy::RoundRobin: return "round_robin";
    case Strategy::LeastUsed: return "least_used";
    case Strategy::Random: return "random";
  }
  return "fill_first";
}

std::optional<Strategy> parse_strategy(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  std::string norm(text);
  std::transform(norm.begin(), norm.end(), norm.begin(), [](unsigned char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(c));
  });
  for (Strategy s : {Strategy::FillFirst, Strategy::RoundRobin, Strategy::LeastUsed, Strategy::Random}) {
    if (to_string(s) == norm) return s;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, Strategy strategy) { return os << to_string(strategy); }

}  // namespace credpool::core
