#include "providers/catalogue.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace credpool::providers {
namespace {

using core::AuthType;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// DESIGN.md "Built-in providers", row for row. Base URLs are the ones each provider's own SDK or
// OpenAI-compatibility page documents.
const std::vector<ProviderInfo>& table() {
  static const std::vector<ProviderInfo> kTable = {
      // Hermes Agent names the OpenAI API-key pool "openai-api" (DESIGN.md "Pinned details").
      {"openai",
       {"openai-api"},
       Wire::OpenAI,
       "https://api.openai.com/v1",
       AuthHeader::Bearer,
       {"OPENAI_API_KEY"},
       AuthType::ApiKey,
       false},
      {"anthropic",
       {"claude"},
       Wire::Anthropic,
       "https://api.anthropic.com",
       AuthHeader::XApiKey,
       {"ANTHROPIC_API_KEY"},
       AuthType::ApiKey,
       false},
      {"openrouter",
       {"or", "open-router"},
       Wire::OpenAI,
       "https://openrouter.ai/api/v1",
       AuthHeader::Bearer,
       {"OPENROUTER_API_KEY"},
       AuthType::ApiKey,
       false},
      {"gemini",
       {"google"},
       Wire::OpenAI,
       "https://generativelanguage.googleapis.com/v1beta/openai",
       AuthHeader::Bearer,
       {"GEMINI_API_KEY", "GOOGLE_API_KEY"},
       AuthType::ApiKey,
       false},
      {"deepseek",
       {},
       Wire::OpenAI,
       "https://api.deepseek.com/v1",
       AuthHeader::Bearer,
       {"DEEPSEEK_API_KEY"},
       AuthType::ApiKey,
       false},
      {"groq",
       {},
       Wire::OpenAI,
       "https://api.groq.com/openai/v1",
       AuthHeader::Bearer,
       {"GROQ_API_KEY"},
       AuthType::ApiKey,
       false},
      {"mistral",
       {},
       Wire::OpenAI,
       "https://api.mistral.ai/v1",
       AuthHeader::Bearer,
       {"MISTRAL_API_KEY"},
       AuthType::ApiKey,
       false},
      {"together",
       {},
       Wire::OpenAI,
       "https://api.together.xyz/v1",
       AuthHeader::Bearer,
       {"TOGETHER_API_KEY"},
       AuthType::ApiKey,
       false},
      {"xai",
       {"grok"},
       Wire::OpenAI,
       "https://api.x.ai/v1",
       AuthHeader::Bearer,
       {"XAI_API_KEY"},
       AuthType::ApiKey,
       false},
      {"zai",
       {"zhipu"},
       Wire::OpenAI,
       "https://api.z.ai/api/paas/v4",
       AuthHeader::Bearer,
       {"ZAI_API_KEY"},
       AuthType::ApiKey,
       false},
      {"openai-codex",
       {"codex"},
       Wire::OpenAI,
       "https://chatgpt.com/backend-api/codex",
       AuthHeader::Bearer,
       {},
       AuthType::OAuth,
       true},
      {"nous",
       {},
       Wire::OpenAI,
       "https://inference-api.nousresearch.com/v1",
       AuthHeader::Bearer,
       {},
       AuthType::OAuth,
       false},
  };
  return kTable;
}

// Levenshtein distance; names are short (< 64 characters), so the O(n*m) table is fine.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view to_string(Wire wire) {
  switch (wire) {
    case Wire::OpenAI:
      return "openai";
    case Wire::Anthropic:
      return "anthropic";
  }
  return "openai";
}

std::optional<Wire> parse_wire(std::string_view text) {
  const std::string name = lower(trim(text));
  if (name == "openai") return Wire::OpenAI;
  if (name == "anthropic") return Wire::Anthropic;
  return std::nullopt;
}

std::string_view to_string(AuthHeader auth) {
  switch (auth) {
    case AuthHeader::Bearer:
      return "bearer";
    case AuthHeader::XApiKey:
      return "x-api-key";
  }
  return "bearer";
}

std::ostream& operator<<(std::ostream& os, Wire wire) { return os << to_string(wire); }
std::ostream& operator<<(std::ostream& os, AuthHeader auth) { return os << to_string(auth); }

std::span<const ProviderInfo> builtin_providers() { return table(); }

const ProviderInfo* find_provider(std::string_view name_or_alias) {
  const std::string name = lower(trim(name_or_alias));
  for (const ProviderInfo& info : table()) {
    if (info.id == name) return &info;
    if (std::find(info.aliases.begin(), info.aliases.end(), name) != info.aliases.end()) {
      return &info;
    }
  }
  return nullptr;
}

std::string normalize_provider(std::string_view name) {
  if (const ProviderInfo* info = find_provider(name)) return info->id;
  return lower(trim(name));
}

std::string custom_pool_key(std::string_view name_or_url) {
  std::string_view name = trim(name_or_url);
  if (const auto scheme = name.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = name.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    if (!rest.empty() && rest.front() == '[') {
      rest = rest.substr(
          1, rest.find(']') == std::string_view::npos ? rest.size() - 1 : rest.find(']') - 1);
    } else {
      rest = rest.substr(0, rest.find(':'));
    }
    name = rest;
  }
  std::string key = lower(name);
  std::replace(key.begin(), key.end(), ' ', '-');
  return "custom:" + key;
}

std::optional<std::string> suggest_provider(std::string_view name,
                                            std::span<const std::string> extra) {
  const std::string wanted = lower(trim(name));
  if (wanted.empty()) return std::nullopt;
  std::vector<std::string> candidates;
  for (const ProviderInfo& info : table()) {
    candidates.push_back(info.id);
    candidates.insert(candidates.end(), info.aliases.begin(), info.aliases.end());
  }
  candidates.insert(candidates.end(), extra.begin(), extra.end());

  std::optional<std::string> best;
  std::size_t best_distance = 3;  // more than two edits is not a typo
  for (const std::string& candidate : candidates) {
    const std::string folded = lower(candidate);
    std::size_t distance = edit_distance(wanted, folded);
    if (wanted.size() >= 3 && folded.starts_with(wanted))
      distance = std::min<std::size_t>(distance, 1);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace credpool::providers
