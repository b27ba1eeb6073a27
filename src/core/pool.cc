#include "core/pool.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_set>

#include "core/pool_state.h"

namespace credpool::core {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Checks that ids are unique. Labels may repeat: Hermes Agent allows case variants, and a file it
// wrote must still load (targeting checks ambiguity instead).
Result<void> check_unique_ids(const std::string& key, const std::vector<Credential>& entries) {
  std::unordered_set<std::string> ids;
  for (const Credential& c : entries) {
    if (!ids.insert(c.id).second) {
      return Error{ErrorCode::InvalidArgument, "pool " + key + ": duplicate id " + c.id};
    }
  }
  return ok();
}

// The smallest step of WallTime: a reset is stamped just after the failure it clears when the
// failure's clock ran ahead of ours (only a strictly older failure is cleared).
constexpr std::chrono::microseconds kTick{1};

void renumber(std::vector<Credential>& entries) {
  int priority = 0;
  for (Credential& c : entries) c.priority = priority++;
}

// True when both rows hold the same secret: they are one credential reached twice (an env row and
// a manual row of the same key), so a mark on one is a mark on both (DESIGN.md).
bool same_secret(const Credential& a, const Credential& b) {
  return !a.access_token.empty() && a.access_token == b.access_token;
}

}  // namespace

Pool::Pool(std::unique_ptr<State> state) : state_(std::move(state)) {}
Pool::Pool(Pool&&) noexcept = default;
Pool& Pool::operator=(Pool&&) noexcept = default;
Pool::~Pool() = default;

Result<Pool> Pool::from_entries(std::string key, std::vector<Credential> entries, Strategy strategy,
                                std::optional<std::string> cursor_id, Random* random) {
  if (auto checked = check_unique_ids(key, entries); !checked) return checked.error();
  std::stable_sort(entries.begin(), entries.end(), [](const Credential& a, const Credential& b) {
    return a.priority < b.priority;
  });
  auto state = std::make_unique<State>();
  state->key = std::move(key);
  state->strategy = strategy;
  state->cursor_id = std::move(cursor_id);
  state->random = random;
  state->entries = std::move(entries);
  state->rebuild();
  return Pool(std::move(state));
}

const std::string& Pool::key() const { return state_->key; }
Strategy Pool::strategy() const { return state_->strategy; }

void Pool::set_strategy(Strategy strategy) {
  if (strategy == state_->strategy) return;
  state_->strategy = strategy;
  state_->rebuild_strategy_index();
}

const std::optional<std::string>& Pool::cursor_id() const { return state_->cursor_id; }

const Credential* Pool::select(WallTime now, std::string_view model) {
  State& s = *state_;
  s.advance(now);
  const auto pos = s.pick(now, model, /*random_pick=*/true);
  if (!pos) return nullptr;
  Credential& c = s.entries[*pos];
  ++c.request_count;
  c.last_used_at = now;
  if (s.strategy == Strategy::LeastUsed) s.by_count.update(*pos, c.request_count);
  if (s.strategy == Strategy::RoundRobin) {
    s.cursor_id = c.id;
    s.cursor_pos = *pos;
  }
  return &c;
}

const Credential* Pool::peek(WallTime now, std::string_view model) const {
  state_->advance(now);
  const auto pos = state_->pick(now, model, /*random_pick=*/false);
  return pos ? &state_->entries[*pos] : nullptr;
}

std::optional<WallTime> Pool::next_available_at(WallTime now, std::string_view model) const {
  return state_->earliest_reset(now, model);
}

std::size_t Pool::usable_count(WallTime now, std::string_view model) const {
  return state_->count_usable(now, model);
}

bool Pool::another_usable(std::string_view id, WallTime now, std::string_view model) const {
  const std::size_t n = usable_count(now, model);
  const Credential* self = find(id);
  const bool self_usable = self != nullptr && usable(*self, now, model);
  return n > (self_usable ? 1U : 0U);
}

std::vector<std::uint32_t> Pool::State::twins_of(std::uint32_t pos) const {
  std::vector<std::uint32_t> out{pos};
  const Credential& self = entries[pos];
  if (self.access_token.empty()) return out;
  const SecretKey item{secret_hash(self), 0};
  const auto first = std::lower_bound(by_secret.begin(), by_secret.end(), item);
  for (auto it = first; it != by_secret.end() && it->first == item.first; ++it) {
    if (it->second != pos && same_secret(entries[it->second], self)) out.push_back(it->second);
  }
  return out;
}

bool Pool::mark(std::string_view id, const Exhaustion& exhaustion) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  for (const std::uint32_t p : state_->twins_of(*pos)) {
    Credential& c = state_->entries[p];
    c.exhaustion = exhaustion;
    // The streak counts failures the provider gave no reset for; compute_cooldown doubles by it.
    if (exhaustion.reset_source == ResetSource::Default) ++c.failure_streak;
    state_->refresh(p);
  }
  return true;
}

bool Pool::mark_model(std::string_view id, const std::string& model, WallTime until,
                      std::optional<WallTime> at) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  for (const std::uint32_t p : state_->twins_of(*pos)) {
    Credential& c = state_->entries[p];
    // A failure from before the last reset is not in force (DESIGN.md: status_cleared_at).
    if (at && c.status_cleared_at && *at < *c.status_cleared_at) continue;
    if (c.model_cooldowns.empty()) ++state_->model_cooled;
    auto [it, inserted] = c.model_cooldowns.emplace(model, until);
    if (!inserted && it->second < until) it->second = until;
  }
  return true;
}

bool Pool::reset(std::string_view id, WallTime now) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  for (const std::uint32_t p : state_->twins_of(*pos)) {
    Credential& c = state_->entries[p];
    // Never earlier than the failure it clears, nor than a reset already recorded: another
    // process compares failures against it (exhaustion_in_force).
    WallTime cleared = now;
    if (c.exhaustion && c.exhaustion->at >= cleared) cleared = c.exhaustion->at + kTick;
    if (c.status_cleared_at && *c.status_cleared_at > cleared) cleared = *c.status_cleared_at;
    c.exhaustion.reset();
    if (!c.model_cooldowns.empty()) --state_->model_cooled;
    c.model_cooldowns.clear();
    c.failure_streak = 0;
    c.status_cleared_at = cleared;
    state_->refresh(p);
  }
  return true;
}

bool Pool::record_success(std::string_view id) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  state_->entries[*pos].failure_streak = 0;
  return true;
}

bool Pool::add_requests(std::string_view id, std::uint64_t delta) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  Credential& c = state_->entries[*pos];
  c.request_count += delta;
  state_->by_count.update(*pos, c.request_count);
  return true;
}

bool Pool::update_tokens(std::string_view id, Secret access_token, Secret refresh_token,
                         std::optional<WallTime> expires_at) {
  const auto pos = state_->position_of(id);
  if (!pos) return false;
  Credential& c = state_->entries[*pos];
  state_->unindex_secret(*pos);
  c.access_token = std::move(access_token);
  state_->index_secret(*pos);
  if (!refresh_token.empty()) c.refresh_token = std::move(refresh_token);
  c.expires_at = expires_at;
  // New tokens answer an auth failure and a death (a re-auth); other cooldowns still hold.
  if (c.exhaustion && (c.exhaustion->dead || c.exhaustion->reason == FailureReason::Auth)) {
    c.exhaustion.reset();
  }
  state_->refresh(*pos);
  return true;
}

Result<void> Pool::add(Credential credential, std::optional<int> position) {
  State& s = *state_;
  int highest = -1;
  for (const Credential& c : s.entries) {
    if (c.id == credential.id) {
      return Error{ErrorCode::AlreadyExists, "pool " + s.key + ": duplicate id " + c.id};
    }
    if (iequals(c.label, credential.label)) {
      return Error{ErrorCode::AlreadyExists, "pool " + s.key + ": duplicate label " + c.label};
    }
    highest = std::max(highest, c.priority);
  }
  if (position) {
    const int n = static_cast<int>(s.entries.size());
    s.entries.insert(s.entries.begin() + std::clamp(*position, 0, n), std::move(credential));
    renumber(s.entries);
  } else {
    credential.priority = highest + 1;
    s.entries.push_back(std::move(credential));
  }
  s.rebuild();
  return ok();
}

bool Pool::remove(std::string_view id) {
  State& s = *state_;
  const auto pos = s.position_of(id);
  if (!pos) return false;
  // Keep round_robin's place: the next pick is the entry that followed the removed cursor.
  if (s.cursor_id && *s.cursor_id == id) {
    if (*pos == 0) {
      s.cursor_id.reset();
    } else {
      s.cursor_id = s.entries[*pos - 1].id;
    }
  }
  s.entries.erase(s.entries.begin() + *pos);
  renumber(s.entries);
  s.rebuild();
  return true;
}

bool Pool::move_to(std::string_view id, int position) {
  State& s = *state_;
  const auto pos = s.position_of(id);
  if (!pos) return false;
  const auto last = static_cast<int>(s.entries.size()) - 1;
  const auto to = static_cast<std::size_t>(std::clamp(position, 0, last));
  const auto from = static_cast<std::size_t>(*pos);
  if (from < to) {
    std::rotate(s.entries.begin() + from, s.entries.begin() + from + 1, s.entries.begin() + to + 1);
  } else if (to < from) {
    std::rotate(s.entries.begin() + to, s.entries.begin() + from, s.entries.begin() + from + 1);
  }
  renumber(s.entries);
  s.rebuild();
  return true;
}

Result<const Credential*> Pool::resolve(std::string_view target) const {
  const std::string_view t = trim(target);
  const auto& entries = state_->entries;
  if (!t.empty()) {
    for (const Credential& c : entries) {
      if (iequals(c.id, t)) return &c;
    }
    // A label that looks like a number beats the index (DESIGN.md "Pinned details"). A label
    // several rows share (a file Hermes wrote) names no one row: the user picks by id or index.
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (iequals(entries[i].label, t)) matches.push_back(i);
    }
    if (matches.size() == 1) return &entries[matches.front()];
    if (matches.size() > 1) {
      std::string candidates;
      for (const std::size_t i : matches) {
        candidates += candidates.empty() ? "" : ", ";
        candidates += "#" + std::to_string(i + 1) + " id " + entries[i].id;
      }
      return Error{ErrorCode::InvalidArgument, "'" + std::string(t) + "' matches " +
                                                   std::to_string(matches.size()) +
                                                   " credentials in pool " + state_->key + " (" +
                                                   candidates + "); name one by id or index"};
    }
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), index);
    if (ec == std::errc{} && end == t.data() + t.size() && index >= 1 && index <= entries.size()) {
      return &entries[index - 1];
    }
  }
  std::string labels;
  for (const Credential& c : entries) {
    labels += labels.empty() ? "" : ", ";
    labels += c.label;
  }
  return Error{ErrorCode::NotFound, "no credential '" + std::string(t) + "' in pool " +
                                        state_->key +
                                        " (labels: " + (labels.empty() ? "none" : labels) + ")"};
}

const Credential* Pool::find(std::string_view id) const { return state_->by_id(id); }
const std::vector<Credential>& Pool::entries() const { return state_->entries; }
std::size_t Pool::size() const { return state_->entries.size(); }

}  // namespace credpool::core
