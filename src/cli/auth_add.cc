#include <algorithm>
#include <cctype>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/session.h"
#include "cli/terminal.h"
#include "config/config.h"
#include "store/auth_json.h"
#include "store/seeding.h"

namespace credpool::cli {

namespace {

bool same_text_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// Finds a row holding `secret`: hydrated rows by value, borrowed rows stored without their secret
// (env:, config:) by fingerprint, so an unset variable's key is still recognised.
const core::Credential* holder_of(const store::PoolRecord& record, const std::string& secret) {
  const std::string fingerprint = store::secret_fingerprint(secret);
  for (const core::Credential& c : record.credentials) {
    if (!c.access_token.empty() && c.access_token.reveal() == secret) return &c;
    const auto it = record.fingerprints.find(c.id);
    if (it != record.fingerprints.end() && it->second == fingerprint) return &c;
  }
  return nullptr;
}

// Checks that the row `id` is in the state written. The store skips an add whose label or secret
// another process added between our load and its lock (DESIGN.md: checked under the store lock),
// and this names the row that won.
Result<void> check_added(const store::Snapshot& written, const std::string& pool,
                         const std::string& id, const std::string& label,
                         const std::string& secret) {
  const auto it = written.pools.find(pool);
  if (it == written.pools.end()) {
    return Error{ErrorCode::Unknown, fmt::format("{}: the new credential was not saved", pool)};
  }
  for (const core::Credential& c : it->second.credentials) {
    if (c.id == id) return ok();
  }
  for (const core::Credential& c : it->second.credentials) {
    if (same_text_ignoring_case(trim_whitespace(c.label), label)) {
      return Error{ErrorCode::AlreadyExists,
                   fmt::format("{} already has a credential labelled '{}'", pool, c.label)};
    }
  }
  if (const core::Credential* holder = holder_of(it->second, secret)) {
    return Error{ErrorCode::AlreadyExists,
                 fmt::format("this key is already in {} as '{}'", pool, holder->label)};
  }
  return Error{ErrorCode::Unknown, fmt::format("{}: the new credential was not saved", pool)};
}

// Returns the key from --api-key, stdin (`-`) or a masked prompt, trimmed at both ends (a pasted
// key often carries spaces or a CRLF no provider accepts); nullopt: no key and no terminal to ask
// on (a usage error).
std::optional<std::string> obtain_key(const Context& ctx, const AuthAddArgs& args) {
  if (args.api_key && *args.api_key == "-") return trim_whitespace(read_secret_from(ctx.in));
  if (args.api_key) return trim_whitespace(*args.api_key);
  if (!stdin_is_terminal()) return std::nullopt;
  return trim_whitespace(read_masked_line("Paste your API key: ").value_or(""));
}

// Checks the flags whose values CLI11 accepted but whose meaning is wrong (exit 1, not 2: see
// run.cc) and returns the trimmed label, if one was given.
Result<std::optional<std::string>> checked_flags(const AuthAddArgs& args) {
  if (args.type && !core::parse_auth_type(*args.type)) {
    return Error{ErrorCode::InvalidArgument,
                 fmt::format("--type '{}' is not api_key or oauth", *args.type)};
  }
  if (args.base_url) {
    if (Result<void> url = check_base_url(*args.base_url); !url) return url.error();
  }
  if (!args.label) return std::optional<std::string>{};
  Result<std::string> label = normalise_label(*args.label);
  if (!label) return label.error();
  return std::optional<std::string>{std::move(*label)};
}

// The name in generated labels: "openai-1", and "lab-1" for custom:lab.
std::string label_stem(const std::string& pool) {
  constexpr std::string_view kCustom = "custom:";
  return pool.starts_with(kCustom) ? pool.substr(kCustom.size()) : pool;
}

}  // namespace

int auth_add(const Context& ctx, const AuthAddArgs& args) {
  Result<Session> session = Session::open(ctx);
  if (!session) return fail(ctx, session.error());
  Result<std::string> pool = session->pool_key(args.provider);
  if (!pool) return fail(ctx, pool.error());
  Result<std::optional<std::string>> label_flag = checked_flags(args);
  if (!label_flag) return fail(ctx, label_flag.error());
  const std::optional<std::string>& wanted_label = *label_flag;

  const auto provider = config::lookup_provider(session->config(), *pool);
  core::AuthType type = provider ? provider->default_type : core::AuthType::ApiKey;
  if (args.type) type = *core::parse_auth_type(*args.type);
  if (args.api_key && !args.type) type = core::AuthType::ApiKey;
  if (type == core::AuthType::OAuth) {
    return fail(ctx, {ErrorCode::InvalidArgument,
                      fmt::format("OAuth login for {} is not yet supported; add an API key with "
                                  "`credpool auth add {} --api-key KEY`",
                                  *pool, args.provider)});
  }

  const std::optional<std::string> key = obtain_key(ctx, args);
  if (!key) {
    ctx.err << "credpool: auth add: no API key: pass --api-key KEY, or --api-key - to read it "
               "from stdin\n";
    return kExitUsage;
  }
  if (key->empty()) return fail(ctx, {ErrorCode::InvalidArgument, "no API key provided"});

  Result<store::Snapshot> snapshot = session->load();
  if (!snapshot) return fail(ctx, snapshot.error());
  const auto it = snapshot->pools.find(*pool);
  const store::PoolRecord record = it == snapshot->pools.end() ? store::PoolRecord{} : it->second;

  if (wanted_label) {
    for (const core::Credential& c : record.credentials) {
      // Stored labels may predate trimming; compare as TARGET resolution would.
      if (same_text_ignoring_case(trim_whitespace(c.label), *wanted_label)) {
        return fail(ctx,
                    {ErrorCode::AlreadyExists,
                     fmt::format("{} already has a credential labelled '{}'", *pool, c.label)});
      }
    }
  }
  if (const core::Credential* holder = holder_of(record, *key)) {
    return fail(ctx, {ErrorCode::AlreadyExists,
                      fmt::format("this key is already in {} as '{}'", *pool, holder->label)});
  }

  core::Credential credential;
  credential.id = store::new_credential_id(ctx.random, record.credentials);
  credential.label =
      wanted_label ? *wanted_label : store::generated_label(label_stem(*pool), record.credentials);
  credential.auth_type = core::AuthType::ApiKey;
  credential.source = "manual";
  credential.access_token = core::Secret(*key);
  // Hermes writes the endpoint on every manual row; the catalogue default counts as unset
  // (DESIGN.md "Base URL").
  if (args.base_url) {
    credential.base_url = *args.base_url;
  } else if (provider) {
    credential.base_url = provider->base_url;
  }
  const std::string hint = credential.access_token.hint();

  // A generated label another process took meanwhile is generated again (bounded); a label the
  // user chose, or a secret already there, is refused.
  constexpr int kAttempts = 5;
  Result<store::Snapshot> written = Error{ErrorCode::Unknown, "not written"};
  for (int attempt = 1;; ++attempt) {
    written = session->apply({store::AddCredential{*pool, credential, args.priority, true}});
    if (!written) return fail(ctx, written.error());
    Result<void> added = check_added(*written, *pool, credential.id, credential.label, *key);
    if (added) break;
    const auto now_in = written->pools.find(*pool);
    if (wanted_label || attempt == kAttempts || now_in == written->pools.end() ||
        holder_of(now_in->second, *key) != nullptr) {
      return fail(ctx, added.error());
    }
    credential.id = store::new_credential_id(ctx.random, now_in->second.credentials);
    credential.label = store::generated_label(label_stem(*pool), now_in->second.credentials);
  }
  const std::string& label = credential.label;
  ctx.out << fmt::format("Added {} to {} ({})\n", label, store::home_pool_key(*written, *pool),
                         hint);
  return kExitOk;
}

}  // namespace credpool::cli
