#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace credpool::config {

// One step of a request's route: which pool to draw a credential from and which model to send.
struct RouteStep {
  std::string provider;        // pool key ("openai", "custom:lab")
  std::string model;           // model to send upstream
  bool model_changed = false;  // true when `model` differs from the request's (x-credpool-model)

  friend bool operator==(const RouteStep&, const RouteStep&) = default;
};

// Routes a request (DESIGN.md "Routing"). Pure, no I/O; thread-safe for a const Config.
// 1. `routes` in file order, `*`/`?` glob on the whole model: the route's provider then its
//    fallbacks (fallback models are sent verbatim; a step without a model sends the request's).
// 2. Else `provider/model` where the text before the first '/' is a known provider, alias or
//    custom name: that provider, the prefix stripped. No fallback.
// 3. Else default_provider (OpenAI endpoints) or default_anthropic_provider (/v1/messages).
// An empty model (GET /v1/models) goes to the same default: `anthropic_endpoint` is then true when
// the client spoke Anthropic (it sent `anthropic-version`). Steps naming an unknown provider are
// skipped (validate() rejects such configs). Returns at least one step when the default provider
// resolves.
std::vector<RouteStep> route_request(const Config& config, std::string_view model,
                                     bool anthropic_endpoint);

// Returns true when `text` matches `pattern` as a whole; '*' matches any run, '?' one character.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace credpool::config
