// credpool_requests_total counts every upstream attempt under its own provider and credential,
// with an outcome naming what happened; credpool's own "every credential cooling" 429 is
// outcome="exhausted" with no credential label.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-metrics-one-aaaaaaaa1111';
const kKey2 = 'sk-test-metrics-two-bbbbbbbb2222';

async function metrics(gateway) {
  const response = await gateway.fetch('/metrics');
  assert.equal(response.status, 200);
  return response.text();
}

function series(text, labels) {
  const line = text.split('\n').find((l) => l.startsWith(`credpool_requests_total{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

test('a rotation counts the failed attempt by reason and the answer as success', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' },
    { provider: 'openai', key: kKey2, label: 'key-2' }] });
  upstream.when({ credential: kKey1 }, openai.rateLimit({ retryAfter: 120 }));

  const response = await gateway.chat();
  await response.arrayBuffer();
  assert.equal(response.status, 200);

  const text = await metrics(gateway);
  assert.equal(series(text, 'provider="openai",credential="key-1",outcome="rate_limit"'), 1, text);
  assert.equal(series(text, 'provider="openai",credential="key-2",outcome="success"'), 1, text);
});

test('each retry of a 500 is counted as outcome="server"', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' }] });
  upstream.when({ credential: kKey1 }, openai.serverError());

  const response = await gateway.chat();
  await response.arrayBuffer();

  const text = await metrics(gateway);
  assert.equal(series(text, 'provider="openai",credential="key-1",outcome="server"'), 3, text);
});

test('credpool\'s own exhausted 429 has no empty credential label', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' }] });
  upstream.when({ credential: kKey1 }, openai.rateLimit({ retryAfter: 600 }));

  const first = await gateway.chat();
  await first.arrayBuffer();
  const second = await gateway.chat();  // the key is cooling: no attempt at all
  await second.arrayBuffer();
  assert.equal(second.status, 429);

  const text = await metrics(gateway);
  assert.ok(!text.includes('credential=""'), text);
  assert.equal(series(text, 'provider="openai",outcome="exhausted"'), 2, text);
  assert.equal(series(text, 'provider="openai",credential="key-1",outcome="rate_limit"'), 1,
    text);
});
