// The Pool's index: which entries are usable, in each strategy's order, without walking the pool.
#include <algorithm>

#include "core/pool_state.h"

namespace credpool::core {

namespace {
// A random pick retries this many times when it lands on an entry blocked for the model before
// it falls back to collecting the eligible ones (model cooldowns are rare).
constexpr int kRandomTries = 16;

// Asks for the cache lines of `c` that Pool::select writes when it counts a use, so that a pick
// drawn ahead (RandomMembers::draw) finds them cached instead of waiting on DRAM. Reads nothing.
void prefetch_counted_fields(const Credential& c) {
  __builtin_prefetch(&c.request_count, /*rw=*/1);
  __builtin_prefetch(&c.last_used_at, /*rw=*/1);
}
}  // namespace

bool model_blocked(const Credential& c, WallTime now, std::string_view model) {
  for (const auto& [name, until] : c.model_cooldowns) {
    if (until > now && (model.empty() || name == model)) return true;
  }
  return false;
}

void Pool::State::rebuild() {
  positions.clear();
  positions.reserve(entries.size());
  by_secret.clear();
  model_cooled = 0;
  usable_set.reset(entries.size());
  cooling = {};
  for (std::uint32_t pos = 0; pos < entries.size(); ++pos) {
    const Credential& c = entries[pos];
    positions.emplace(c.id, pos);
    if (!c.access_token.empty()) by_secret.emplace_back(secret_hash(c), pos);
    if (!c.model_cooldowns.empty()) ++model_cooled;
    const Exhaustion* e = exhaustion_in_force(c);
    if (eligible(c, horizon)) {
      usable_set.insert(pos);
    } else if (e != nullptr && !e->dead && !c.access_token.empty()) {
      cooling.push({e->resets_at, pos});
    }
  }
  std::sort(by_secret.begin(), by_secret.end());
  cursor_pos.reset();
  if (cursor_id) {
    if (auto it = positions.find(*cursor_id); it != positions.end()) cursor_pos = it->second;
  }
  rebuild_strategy_index();
}

void Pool::State::index_secret(std::uint32_t pos) {
  if (entries[pos].access_token.empty()) return;
  const SecretKey item{secret_hash(entries[pos]), pos};
  by_secret.insert(std::lower_bound(by_secret.begin(), by_secret.end(), item), item);
}

void Pool::State::unindex_secret(std::uint32_t pos) {
  if (entries[pos].access_token.empty()) return;
  const SecretKey item{secret_hash(entries[pos]), pos};
  const auto it = std::lower_bound(by_secret.begin(), by_secret.end(), item);
  if (it != by_secret.end() && *it == item) by_secret.erase(it);
}

void Pool::State::rebuild_strategy_index() {
  by_count.reset(strategy == Strategy::LeastUsed ? entries.size() : 0);
  random_set.reset(strategy == Strategy::Random ? entries.size() : 0);
  for (std::size_t p = usable_set.find_first(); p != UsableSet::kNone;
       p = usable_set.find_next(p + 1)) {
    const auto pos = static_cast<std::uint32_t>(p);
    if (strategy == Strategy::LeastUsed) by_count.insert(pos, entries[pos].request_count);
    if (strategy == Strategy::Random) random_set.insert(pos);
  }
}

void Pool::State::admit(std::uint32_t pos) const {
  if (!usable_set.insert(pos)) return;
  if (strategy == Strategy::LeastUsed) by_count.insert(pos, entries[pos].request_count);
  if (strategy == Strategy::Random) random_set.insert(pos);
}

void Pool::State::evict(std::uint32_t pos) const {
  if (!usable_set.erase(pos)) return;
  by_count.erase(pos);
  random_set.erase(pos);
}

void Pool::State::refresh(std::uint32_t pos) {
  const Credential& c = entries[pos];
  if (eligible(c, horizon)) {
    admit(pos);
    return;
  }
  evict(pos);
  const Exhaustion* e = exhaustion_in_force(c);
  if (e != nullptr && !e->dead && !c.access_token.empty()) cooling.push({e->resets_at, pos});
}

void Pool::State::advance(WallTime now) const {
  if (now <= horizon) return;
  horizon = now;
  while (!cooling.empty() && cooling.top().until <= now) {
    const std::uint32_t pos = cooling.top().pos;
    cooling.pop();
    // Stale items (the entry was reset, re-marked or removed since) simply fail this check.
    if (pos < entries.size() && eligible(entries[pos], now)) admit(pos);
  }
}

std::optional<std::uint32_t> Pool::State::pick(WallTime now, std::string_view model,
                                               bool random_pick) const {
  // Members of usable_set are eligible at `horizon`, so with no model cooldown in the pool and
  // `now` not before `horizon` every member is usable and the check (a cache miss per candidate
  // at 100k entries) is skipped. Otherwise the check keeps model cooldowns and an earlier `now`
  // correct.
  const bool trusted = model_cooled == 0 && now >= horizon;
  auto ok = [&](std::size_t pos) { return trusted || usable(entries[pos], now, model); };
  auto scan = [&](std::size_t from, std::size_t to) -> std::optional<std::uint32_t> {
    for (std::size_t p = usable_set.find_next(from); p < to; p = usable_set.find_next(p + 1)) {
      if (ok(p)) return static_cast<std::uint32_t>(p);
    }
    return std::nullopt;
  };
  if (usable_set.count() == 0) return std::nullopt;
  switch (strategy) {
    case Strategy::FillFirst:
      return scan(0, entries.size());
    case Strategy::RoundRobin: {
      const std::size_t start = cursor_pos ? *cursor_pos + 1 : 0;
      if (auto p = scan(start, entries.size())) return p;
      return scan(0, std::min(start, entries.size()));
    }
    case Strategy::LeastUsed: {
      const std::uint32_t p = by_count.find_first(ok);
      if (p == CountHeap::kNone) return std::nullopt;
      return p;
    }
    case Strategy::Random: {
      if (!random_pick || random == nullptr)
        return random_pick ? scan(0, entries.size()) : std::nullopt;
      const auto& members = random_set.members();
      if (members.empty()) return std::nullopt;
      for (int i = 0; i < kRandomTries; ++i) {
        const std::uint32_t p = random_set.draw(*random);
        if (ok(p)) {
          prefetch_counted_fields(entries[random_set.upcoming()]);
          return p;
        }
      }
      std::vector<std::uint32_t> fit;
      for (std::uint32_t p : members) {
        if (ok(p)) fit.push_back(p);
      }
      if (fit.empty()) return std::nullopt;
      return fit[random->below(fit.size())];
    }
  }
  return std::nullopt;
}

std::size_t Pool::State::count_usable(WallTime now, std::string_view model) const {
  advance(now);
  if (model_cooled == 0 && now >= horizon) return usable_set.count();
  std::size_t n = 0;
  for (std::size_t p = usable_set.find_first(); p != UsableSet::kNone;
       p = usable_set.find_next(p + 1)) {
    if (usable(entries[p], now, model)) ++n;
  }
  return n;
}

std::optional<WallTime> Pool::State::earliest_reset(WallTime now, std::string_view model) const {
  if (count_usable(now, model) > 0) return std::nullopt;
  if (model_cooled == 0 && now >= horizon) {
    // Every cooling entry has an item; drop the stale ones on top.
    while (!cooling.empty()) {
      const CoolingItem top = cooling.top();
      const Credential* c = top.pos < entries.size() ? &entries[top.pos] : nullptr;
      const Exhaustion* e = c != nullptr ? exhaustion_in_force(*c) : nullptr;
      if (e != nullptr && !e->dead && !c->access_token.empty() && e->resets_at == top.until &&
          top.until > now) {
        return top.until;
      }
      cooling.pop();
    }
    return std::nullopt;
  }
  // Model cooldowns or an earlier `now`: both rare, so a walk over the entries is acceptable.
  std::optional<WallTime> best;
  for (const Credential& c : entries) {
    const Exhaustion* e = exhaustion_in_force(c);
    if (c.access_token.empty() || (e != nullptr && e->dead)) continue;
    WallTime t = now;
    if (e != nullptr && e->resets_at > t) t = e->resets_at;
    for (const auto& [name, until] : c.model_cooldowns) {
      if ((model.empty() || name == model) && until > t) t = until;
    }
    if (t > now && (!best || t < *best)) best = t;
  }
  return best;
}

std::optional<std::uint32_t> Pool::State::position_of(std::string_view id) const {
  auto it = positions.find(id);
  if (it == positions.end()) return std::nullopt;
  return it->second;
}

const Credential* Pool::State::by_id(std::string_view id) const {
  auto pos = position_of(id);
  return pos ? &entries[*pos] : nullptr;
}

}  // namespace credpool::core
