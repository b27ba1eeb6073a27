// Routes with a fallback: a sole key's 429 falls back at once, and every consequence of the
// fallback provider's failure lands on the fallback's pool, never on the primary's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai, openrouter } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kOpenAiKey = 'sk-test-openai-sole-cccccccc3333';
const kRouterKey = 'sk-or-fake-rt1-dd4444';
const kRouterKey2 = 'sk-or-fake-rt2-ee5555';
const kOpenAiPath = '/v1/chat/completions';
const kRouterPath = '/openrouter/v1/chat/completions';

const nowSeconds = () => Date.now() / 1000;

// Starts a gateway whose gpt-* route falls back to openrouter's openai/gpt-4o-mini.
async function startWithRoute(t, keys) {
  return startGatewayWithUpstream(t, {
    keys,
    configExtra: {
      routes: [{ match: 'gpt-*', provider: 'openai',
        fallback: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini' }] }],
    },
  });
}

const soleKeyAndRouter = [
  { provider: 'openai', key: kOpenAiKey, label: 'openai-sole' },
  { provider: 'openrouter', key: kRouterKey, label: 'router-1' },
];

test('a sole key 429 falls back at once to the route fallback', async (t) => {
  const { upstream, gateway } = await startWithRoute(t, soleKeyAndRouter);
  upstream.when({ credential: kOpenAiKey }, openai.rateLimit({ retryAfter: 600 }));
  upstream.when({ path: kRouterPath }, openai.chat({ content: 'answer from openrouter' }));

  const response = await gateway.chat({ model: 'gpt-4o-mini' });

  assert.equal(response.status, 200);
  assert.equal((await response.json()).choices[0].message.content, 'answer from openrouter');
  assert.equal(response.headers.get('x-credpool-provider'), 'openrouter');
  assert.equal(response.headers.get('x-credpool-credential'), 'router-1');
  assert.equal(upstream.requestsWith(kOpenAiKey).length, 1, 'the primary is not retried');
});

test('a fallback sends the fallback model verbatim and says so in x-credpool-model',
  async (t) => {
    const { upstream, gateway } = await startWithRoute(t, soleKeyAndRouter);
    upstream.when({ credential: kOpenAiKey }, openai.rateLimit({ retryAfter: 600 }));

    const response = await gateway.chat({ model: 'gpt-4o-mini' });

    const sent = upstream.requests.find((r) => r.path === kRouterPath);
    assert.equal(sent.credential, kRouterKey);
    assert.equal(sent.body.model, 'openai/gpt-4o-mini');
    assert.equal(response.headers.get('x-credpool-model'), 'openai/gpt-4o-mini');
  });

test('a fallback provider 429 leaves the primary pool untouched', async (t) => {
  const { upstream, gateway } = await startWithRoute(t, soleKeyAndRouter);
  const before = nowSeconds();
  upstream.when({ credential: kOpenAiKey }, openai.rateLimit({ retryAfter: 600 }));
  upstream.when({ credential: kRouterKey }, openai.rateLimit({ retryAfter: 1800 }));

  await gateway.chat({ model: 'gpt-4o-mini' });

  // The primary shows only its own 429 (600 s), not the fallback's (1800 s).
  const primary = gateway.credential('openai', 'openai-sole');
  const primaryWait = primary.resets_at - before;
  assert.ok(primaryWait >= 590 && primaryWait <= 610, `primary resets in ${primaryWait}`);
  const fallback = gateway.credential('openrouter', 'router-1');
  assert.equal(fallback.state, 'cooling');
  const fallbackWait = fallback.resets_at - before;
  assert.ok(fallbackWait >= 1790 && fallbackWait <= 1810, `fallback resets in ${fallbackWait}`);
});

test('a fallback provider 429 with a healthy primary does not cool the primary', async (t) => {
  // Primary overloaded (not the key's fault), then the fallback is rate limited.
  const { upstream, gateway } = await startWithRoute(t, soleKeyAndRouter);
  upstream.when({ credential: kOpenAiKey }, openai.serverError());
  upstream.when({ credential: kRouterKey }, openai.rateLimit({ retryAfter: 1800 }));

  await gateway.chat({ model: 'gpt-4o-mini' });

  assert.equal(gateway.credential('openai', 'openai-sole').state, 'ok');
  assert.equal(gateway.credential('openrouter', 'router-1').state, 'cooling');
});

test('an OpenRouter "Provider returned error" 429 neither marks nor rotates', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openrouter', key: kRouterKey, label: 'router-1' },
    { provider: 'openrouter', key: kRouterKey2, label: 'router-2' },
  ] });
  upstream.when({ credential: kRouterKey }, openrouter.providerError());

  const response = await gateway.chat({ model: 'openrouter/deepseek/deepseek-chat' });

  assert.equal(response.status, 429, 'no fallback configured: the upstream answer is returned');
  assert.deepEqual(upstream.credentialsUsed(), [kRouterKey]);
  assert.equal(upstream.requests[0].body.model, 'deepseek/deepseek-chat',
    'the provider prefix is stripped');
  assert.equal(gateway.credential('openrouter', 'router-1').state, 'ok');
});

test('without a route, a sole key 429 is not followed by any other provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, {
    keys: soleKeyAndRouter });
  upstream.when({ credential: kOpenAiKey }, openai.rateLimit({ retryAfter: 600 }));

  const response = await gateway.chat({ model: 'gpt-4o-mini' });

  assert.equal(response.status, 429);
  assert.equal(upstream.requestsWith(kRouterKey).length, 0);
});
