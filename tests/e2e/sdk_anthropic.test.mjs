// The official Anthropic SDK as the client, with baseURL at the gateway: messages and message
// streams come through a rotation away from a rate-limited key.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';

import { anthropic } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-ant-fake1-ss3333';
const kKey2 = 'sk-ant-fake2-tt4444';
const params = { model: 'claude-fake-model', max_tokens: 64,
  messages: [{ role: 'user', content: 'Say hello.' }] };

// Starts a gateway with two Anthropic keys, key 1 answering 429; returns an SDK client for it.
async function startWithLimitedFirstKey(t, key2Response) {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'anthropic', key: kKey1, label: 'claude-1' },
    { provider: 'anthropic', key: kKey2, label: 'claude-2' },
  ] });
  upstream.when({ credential: kKey1 }, anthropic.rateLimit());
  upstream.when({ credential: kKey2 }, key2Response);
  const client = new Anthropic({ baseURL: gateway.url, apiKey: 'any-client-key', maxRetries: 0,
    timeout: 30_000 });
  return { upstream, gateway, client };
}

test('the Anthropic SDK gets a message through a rotation', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t,
    anthropic.message({ content: 'Hello via key 2.' }));

  const { data, response } = await client.messages.create(params).withResponse();

  assert.equal(data.content[0].text, 'Hello via key 2.');
  assert.equal(response.headers.get('x-credpool-credential'), 'claude-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('the Anthropic SDK streams a message through a rotation', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t,
    anthropic.messageStream({ pieces: ['Stream', 'ed ', 'via key 2.'] }));

  const stream = client.messages.stream(params);
  let text = '';
  stream.on('text', (delta) => { text += delta; });
  const final = await stream.finalMessage();

  assert.equal(text, 'Streamed via key 2.');
  assert.equal(final.content[0].text, 'Streamed via key 2.');
  assert.equal(final.stop_reason, 'end_turn');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('the Anthropic SDK key is replaced by the pool key upstream', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t, anthropic.message());

  await client.messages.create(params);

  const sent = upstream.requests.at(-1);
  assert.equal(sent.headers['x-api-key'], kKey2);
  assert.ok(!JSON.stringify(sent.headers).includes('any-client-key'));
  assert.ok(sent.headers['anthropic-version'], 'anthropic-version is forwarded or defaulted');
});
