#include <istream>
#include <ostream>
#include <string>

#include "cli/commands.h"

namespace credpool::cli {

namespace {

// Prints `prompt` and reads one trimmed line; nullopt at end of input.
std::optional<std::string> ask(const Context& ctx, const std::string& prompt) {
  ctx.out << prompt << std::flush;
  std::string line;
  if (!std::getline(ctx.in, line)) return std::nullopt;
  const auto first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return std::string();
  const auto last = line.find_last_not_of(" \t\r");
  return line.substr(first, last - first + 1);
}

std::optional<std::string> ask_non_empty(const Context& ctx, const std::string& prompt) {
  auto answer = ask(ctx, prompt);
  if (!answer || answer->empty()) return std::nullopt;
  return answer;
}

void add(const Context& ctx) {
  auto provider = ask_non_empty(ctx, "Provider: ");
  if (!provider) return;
  AuthAddArgs args;
  args.provider = *provider;
  if (auto label = ask(ctx, "Label (optional): "); label && !label->empty()) args.label = *label;
  auth_add(ctx, args);  // prompts for the key with echo off
}

void remove(const Context& ctx) {
  auto provider = ask_non_empty(ctx, "Provider: ");
  if (!provider) return;
  AuthListArgs list;
  list.provider = *provider;
  auth_list(ctx, list);
  auto target = ask_non_empty(ctx, "Remove #, id, or label (blank to cancel): ");
  if (!target) return;
  auth_remove(ctx, {.provider = *provider, .target = *target});
}

void reset(const Context& ctx) {
  auto provider = ask_non_empty(ctx, "Provider: ");
  if (!provider) return;
  auth_reset(ctx, {.provider = *provider, .target = std::nullopt});
}

void strategy(const Context& ctx) {
  auto provider = ask_non_empty(ctx, "Provider: ");
  if (!provider) return;
  ctx.out << "Current strategy: " << std::flush;
  auth_strategy(ctx, {.provider = *provider, .name = std::nullopt});
  ctx.out << "  1. fill_first   — Use first key until exhausted, then next\n"
             "  2. round_robin  — Cycle through keys evenly\n"
             "  3. least_used   — Always pick the least-used key\n"
             "  4. random       — Random selection\n";
  auto choice = ask_non_empty(ctx, "Strategy [1-4]: ");
  if (!choice) return;
  static const char* const kNames[] = {"fill_first", "round_robin", "least_used", "random"};
  if (choice->size() != 1 || (*choice)[0] < '1' || (*choice)[0] > '4') {
    ctx.out << "Invalid choice.\n";
    return;
  }
  auth_strategy(ctx, {.provider = *provider, .name = kNames[(*choice)[0] - '1']});
}

}  // namespace

int auth_interactive(const Context& ctx) {
  // Bounded by the user: every pass reads a line, and end of input quits.
  while (true) {
    ctx.out << "\nCredential Pool Status\n" << std::string(50, '=') << "\n";
    auth_list(ctx, {});
    ctx.out << "\nWhat would you like to do?\n"
               "  1. List credentials\n  2. Add a credential\n  3. Remove a credential\n"
               "  4. Reset cooldowns for a provider\n  5. Set rotation strategy for a provider\n"
               "  6. Quit\n";
    auto choice = ask(ctx, "\nChoice: ");
    if (!choice || choice->empty() || *choice == "6" || *choice == "q") return kExitOk;
    if (*choice == "1") continue;
    if (*choice == "2")
      add(ctx);
    else if (*choice == "3")
      remove(ctx);
    else if (*choice == "4")
      reset(ctx);
    else if (*choice == "5")
      strategy(ctx);
    else
      ctx.out << "Invalid choice.\n";
  }
}

}  // namespace credpool::cli
