// An upstream that refuses connections is a transient failure, not the key's fault: the gateway
// retries the same key (about 250 ms, then about 1 s), then falls back along the route; with no
// fallback it answers 502 upstream_unreachable in the client's wire format, in bounded time.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import { openai, startFakeUpstream } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kOpenAiKey = 'sk-test-unreachable-ffff6666';
const kRouterKey = 'fake-or-unreachable-gggg7777';
const kRouterPath = '/openrouter/v1/chat/completions';

// Returns a loopback URL whose port was just free and is now closed (connects are refused).
async function closedPortUrl() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}

// Starts a gateway whose openai points at a closed port; `live` (a FakeUpstream) serves openrouter.
async function startWithDeadOpenAi(t, { live, routes } = {}) {
  const providers = { openai: { base_url: await closedPortUrl() } };
  if (live) providers.openrouter = { base_url: live.baseUrl('/openrouter/v1') };
  const keys = [{ provider: 'openai', key: kOpenAiKey, label: 'openai-1' }];
  if (live) keys.push({ provider: 'openrouter', key: kRouterKey, label: 'router-1' });
  return startGatewayWithUpstream(t, { keys, configExtra: { providers, ...(routes && { routes }) } });
}

test('a refused connection is retried, then the route falls back to a live provider',
  async (t) => {
    const live = await startFakeUpstream();
    t.after(() => live.close());
    live.when({ path: kRouterPath }, openai.chat({ content: 'answer from the fallback' }));
    const { gateway } = await startWithDeadOpenAi(t, { live, routes: [{ match: 'gpt-*',
      provider: 'openai', fallback: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini' }] }] });
    const started = Date.now();

    const response = await gateway.chat({ model: 'gpt-4o-mini' });

    const elapsed = Date.now() - started;
    assert.equal(response.status, 200);
    assert.equal((await response.json()).choices[0].message.content, 'answer from the fallback');
    assert.equal(response.headers.get('x-credpool-provider'), 'openrouter');
    assert.equal(response.headers.get('x-credpool-credential'), 'router-1');
    assert.ok(elapsed >= 900, `${elapsed} ms: the primary was retried after ~250 ms and ~1 s`);
    assert.ok(elapsed < 6_000, `${elapsed} ms: no request sleeps more than 5 s in total`);
    assert.equal(gateway.credential('openai', 'openai-1').state, 'ok', 'not the key\'s fault');
  });

test('a refused connection with no fallback ends in 502 upstream_unreachable after retries',
  async (t) => {
    const { gateway } = await startWithDeadOpenAi(t);
    const started = Date.now();

    const response = await gateway.chat({ model: 'gpt-4o-mini' });

    const elapsed = Date.now() - started;
    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.error.code, 'upstream_unreachable');
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.error.type, 'string');
    assert.ok(elapsed >= 900, `${elapsed} ms: retried after ~250 ms and ~1 s before giving up`);
    assert.ok(elapsed < 6_000, `${elapsed} ms: bounded`);
    assert.equal(gateway.credential('openai', 'openai-1').state, 'ok', 'not the key\'s fault');
  });

test('a refused connection answers an Anthropic client in the Anthropic error shape',
  async (t) => {
    const { gateway } = await startGatewayWithUpstream(t, {
      keys: [{ provider: 'anthropic', key: 'fake-ant-unreachable-hhhh8888', label: 'c-1' }],
      configExtra: { providers: { anthropic: { base_url: (await closedPortUrl()).slice(0, -3) } } },
    });

    const response = await gateway.message();

    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.type, 'error');
    assert.equal(typeof body.error.message, 'string');
  });
