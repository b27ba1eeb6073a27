#include "views/journal_reader.h"

#include <deque>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

namespace credpool::views {

std::filesystem::path journal_path(const std::filesystem::path& home) {
  return home / "events.jsonl";
}

std::filesystem::path rotated_journal(const std::filesystem::path& path, int n) {
  return path.string() + "." + std::to_string(n);
}

std::vector<nlohmann::json> read_journal(const std::filesystem::path& home,
                                         std::string_view provider, std::string_view credential_id,
                                         std::size_t max) {
  std::deque<nlohmann::json> found;
  if (max == 0) return {};
  const auto path = journal_path(home);
  std::vector<std::filesystem::path> files;
  for (int n = kJournalKeep; n >= 1; --n) files.push_back(rotated_journal(path, n));
  files.push_back(path);
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) continue;
    std::string line;
    while (std::getline(in, line)) {
      auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (event.is_discarded() || !event.is_object()) continue;
      if (!provider.empty()) {
        const auto p = event.find("provider");
        if (p == event.end() || !p->is_string() || p->get_ref<const std::string&>() != provider) {
          continue;
        }
      }
      if (!credential_id.empty()) {
        const auto id = event.find("credential_id");
        if (id == event.end() || !id->is_string() ||
            id->get_ref<const std::string&>() != credential_id) {
          continue;
        }
      }
      found.push_back(std::move(event));
      if (found.size() > max) found.pop_front();
    }
  }
  return {std::make_move_iterator(found.begin()), std::make_move_iterator(found.end())};
}

}  // namespace credpool::views
