#include "config/router.h"

namespace credpool::config {
namespace {

// Appends a step when its provider resolves; a step sending the request's model is unchanged.
void add_step(const Config& config, std::vector<RouteStep>& steps, std::string_view provider,
              std::string_view step_model, std::string_view request_model) {
  const std::optional<std::string> pool = resolve_pool_key(config, provider);
  if (!pool) return;  // validate() rejects such configs; a running gateway skips the step
  const std::string_view sent = step_model.empty() ? request_model : step_model;
  steps.push_back(RouteStep{*pool, std::string(sent), sent != request_model});
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy matching with one backtrack point: the last '*' seen. Linear in practice, bounded by
  // pattern.size() * text.size() in the worst case.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<RouteStep> route_request(const Config& config, std::string_view model,
                                     bool anthropic_endpoint) {
  std::vector<RouteStep> steps;
  if (model.empty()) {  // GET /v1/models and other requests without a model
    add_step(config, steps,
             anthropic_endpoint ? config.default_anthropic_provider : config.default_provider, {},
             model);
    return steps;
  }
  for (const Route& route : config.routes) {
    if (!glob_match(route.match, model)) continue;
    add_step(config, steps, route.provider, route.model, model);
    for (const RouteTarget& target : route.fallback) {
      add_step(config, steps, target.provider, target.model, model);
    }
    return steps;
  }
  if (const std::size_t slash = model.find('/'); slash != std::string_view::npos && slash > 0) {
    if (const auto pool = resolve_pool_key(config, model.substr(0, slash))) {
      steps.push_back(RouteStep{*pool, std::string(model.substr(slash + 1)), true});
      return steps;
    }
  }
  add_step(config, steps,
           anthropic_endpoint ? config.default_anthropic_provider : config.default_provider, {},
           model);
  return steps;
}

}  // namespace credpool::config
