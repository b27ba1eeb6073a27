// A success's rate-limit budget headers are relayed to the client and kept in memory per
// credential, shown by GET /admin/pools as `rate_limit_remaining` (absent or null until a provider
// said: `auth list --json`, which /admin/pools equals, cannot know these memory-only values).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { anthropic, openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-budget-one-iiii1111';
const kKey2 = 'sk-test-budget-two-jjjj2222';
const kClaude = 'fake-ant-budget-kkkk3333';

// Returns `spec` with `headers` added.
function withHeaders(spec, headers) {
  return { ...spec, headers: { ...spec.headers, ...headers } };
}

function row(pools, provider, label) {
  return pools[provider].credentials.find((c) => c.label === label);
}

test('a success\'s remaining budgets show per credential in /admin/pools', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' },
    { provider: 'openai', key: kKey2, label: 'key-2' },
    { provider: 'anthropic', key: kClaude, label: 'claude-1' },
  ] });
  upstream.when({ credential: kKey1 }, withHeaders(openai.chat(), {
    'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '41',
    'x-ratelimit-limit-tokens': '200000', 'x-ratelimit-remaining-tokens': '9000' }));
  upstream.when({ credential: kClaude }, withHeaders(anthropic.message(), {
    'anthropic-ratelimit-requests-remaining': '7',
    'anthropic-ratelimit-tokens-remaining': '12345' }));
  const before = Math.floor(Date.now() / 1000);

  const chat = await gateway.chat();
  await chat.arrayBuffer();
  await (await gateway.message()).arrayBuffer();
  const pools = await (await gateway.fetch('/admin/pools')).json();

  assert.equal(chat.status, 200);
  assert.equal(chat.headers.get('x-ratelimit-remaining-requests'), '41', 'relayed to the client');
  const key1 = row(pools, 'openai', 'key-1').rate_limit_remaining;
  assert.equal(key1.requests, 41);
  assert.equal(key1.tokens, 9000);
  assert.ok(key1.seen_at >= before - 1 && key1.seen_at <= Date.now() / 1000 + 1);
  assert.equal(row(pools, 'openai', 'key-2').rate_limit_remaining ?? null, null, 'never used');
  const claude = row(pools, 'anthropic', 'claude-1').rate_limit_remaining;
  assert.equal(claude.requests, 7);
  assert.equal(claude.tokens, 12345);
});

test('a later success replaces the budget a credential showed', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' },
  ] });
  upstream.when({ credential: kKey1, times: 1 }, withHeaders(openai.chat(), {
    'x-ratelimit-remaining-requests': '10', 'x-ratelimit-remaining-tokens': '100' }));
  upstream.when({ credential: kKey1 }, withHeaders(openai.chat(), {
    'x-ratelimit-remaining-requests': '9' }));

  await (await gateway.chat()).arrayBuffer();
  await (await gateway.chat()).arrayBuffer();
  const pools = await (await gateway.fetch('/admin/pools')).json();

  assert.deepEqual({ ...row(pools, 'openai', 'key-1').rate_limit_remaining, seen_at: 0 },
    { requests: 9, tokens: null, seen_at: 0 });
});
