// When every credential of the route is cooling, credpool answers by itself: 429 with a
// Retry-After and code credentials_exhausted, in the client's wire format, without calling the
// upstream.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { anthropic, openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-exhaust-one-hhhhhhhh8888';
const kKey2 = 'sk-test-exhaust-two-iiiiiiii9999';
const kAnthropicKey = 'sk-ant-fake-exh-jj0000';
const kCooling = 300;

// Starts a gateway with two OpenAI keys that both answer 429 for kCooling seconds, and spends
// them with one request.
async function exhaustOpenAi(t) {
  const started = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' },
    { provider: 'openai', key: kKey2, label: 'key-2' },
  ] });
  started.upstream.when({}, openai.rateLimit({ retryAfter: kCooling }));
  await (await started.gateway.chat()).arrayBuffer();
  started.upstream.reset();
  return started;
}

async function exhaustAnthropic(t) {
  const started = await startGatewayWithUpstream(t, { keys: [
    { provider: 'anthropic', key: kAnthropicKey, label: 'claude-1' },
  ] });
  started.upstream.when({}, anthropic.rateLimit({ retryAfter: kCooling }));
  await (await started.gateway.message()).arrayBuffer();
  started.upstream.reset();
  return started;
}

function assertRetryAfter(response) {
  const retryAfter = response.headers.get('retry-after');
  assert.match(retryAfter ?? '', /^\d+$/, `retry-after ${retryAfter}`);
  const seconds = Number(retryAfter);
  assert.ok(seconds >= 1 && seconds <= kCooling + 5, `retry-after ${seconds}`);
}

test('every key cooling gives 429 credentials_exhausted in the OpenAI shape', async (t) => {
  const { gateway } = await exhaustOpenAi(t);

  const response = await gateway.chat();

  assert.equal(response.status, 429);
  const body = await response.json();
  assert.equal(body.error.code, 'credentials_exhausted');
  assert.equal(typeof body.error.message, 'string');
  assert.equal(typeof body.error.type, 'string');
});

test('every key cooling gives a Retry-After of whole seconds up to the earliest reset',
  async (t) => {
    const { gateway } = await exhaustOpenAi(t);

    const response = await gateway.chat();

    assertRetryAfter(response);
  });

test('every key cooling does not call the upstream', async (t) => {
  const { upstream, gateway } = await exhaustOpenAi(t);

  await (await gateway.chat()).arrayBuffer();

  assert.deepEqual(upstream.requests, []);
});

test('both keys show cooling after the exhausting request', async (t) => {
  const { gateway } = await exhaustOpenAi(t);

  const rows = gateway.authList('openai').openai.credentials;

  assert.deepEqual(rows.map((r) => [r.label, r.state]), [['key-1', 'cooling'],
    ['key-2', 'cooling']]);
});

test('every key cooling on /v1/messages gives the Anthropic error shape', async (t) => {
  const { upstream, gateway } = await exhaustAnthropic(t);

  const response = await gateway.message();

  assert.equal(response.status, 429);
  assertRetryAfter(response);
  const body = await response.json();
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'rate_limit_error');
  assert.equal(body.error.code, 'credentials_exhausted');
  assert.equal(typeof body.error.message, 'string');
  assert.deepEqual(upstream.requests, []);
});
