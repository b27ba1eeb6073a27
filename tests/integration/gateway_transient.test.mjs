// Transient upstream failures (overloaded, 5xx) are not the key's fault: the gateway retries the
// same key after a short backoff and never cools it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { anthropic, openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kOpenAi1 = 'sk-test-transient-one-uuuu1111';
const kOpenAi2 = 'sk-test-transient-two-vvvv2222';
const kAnthropic1 = 'fake-ant-transient-wwww3333';
const kAnthropic2 = 'fake-ant-transient-xxxx4444';

test('an Anthropic 529 overloaded is retried on the same key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'anthropic', key: kAnthropic1, label: 'claude-1' },
    { provider: 'anthropic', key: kAnthropic2, label: 'claude-2' },
  ] });
  upstream.when({ credential: kAnthropic1, times: 1 }, anthropic.overloaded());

  const response = await gateway.message();

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-credential'), 'claude-1');
  assert.deepEqual(upstream.credentialsUsed(), [kAnthropic1, kAnthropic1]);
});

test('an Anthropic 529 overloaded does not cool the key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'anthropic', key: kAnthropic1, label: 'claude-1' },
    { provider: 'anthropic', key: kAnthropic2, label: 'claude-2' },
  ] });
  upstream.when({ credential: kAnthropic1, times: 1 }, anthropic.overloaded());

  await (await gateway.message()).arrayBuffer();

  assert.equal(gateway.credential('anthropic', 'claude-1').state, 'ok');
});

test('an OpenAI 500 is retried on the same key and does not cool it', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kOpenAi1, label: 'key-1' },
    { provider: 'openai', key: kOpenAi2, label: 'key-2' },
  ] });
  upstream.when({ credential: kOpenAi1, times: 1 }, openai.serverError());

  const response = await gateway.chat();

  assert.equal(response.status, 200);
  assert.deepEqual(upstream.credentialsUsed(), [kOpenAi1, kOpenAi1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});

test('a persistent 500 ends with the upstream error after bounded retries', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kOpenAi1, label: 'key-1' },
  ] });
  upstream.when({}, openai.serverError());
  const started = Date.now();

  const response = await gateway.chat();

  assert.equal(response.status, 500, 'the last attempt\'s upstream status, unchanged');
  assert.ok(upstream.requests.length >= 2 && upstream.requests.length <= 3,
    `${upstream.requests.length} attempts: at most 2 retries per credential`);
  assert.ok(Date.now() - started < 6_000, 'no request sleeps more than 5 s in total');
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});
