// The gateway rotates to the next credential of the pool when the provider says the key is out
// (429, 402, 403, 401 on an API key), and cools the failed key for as long as the provider asked.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-key-one-aaaaaaaaaaaa1111';
const kKey2 = 'sk-test-key-two-bbbbbbbbbbbb2222';
const twoOpenAiKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];

const nowSeconds = () => Date.now() / 1000;

// Starts a gateway with two OpenAI keys, makes key 1 answer with `failure`, sends one chat.
async function chatWithFailingFirstKey(t, failure) {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, failure);
  upstream.when({ credential: kKey2 }, openai.chat({ content: 'answer from key 2' }));
  const response = await gateway.chat();
  return { upstream, gateway, response, body: await response.json() };
}

test('a 429 rotates to the other free key and names it in x-credpool-credential', async (t) => {
  const { upstream, response, body } = await chatWithFailingFirstKey(t, openai.rateLimit());

  assert.equal(response.status, 200);
  assert.equal(body.choices[0].message.content, 'answer from key 2');
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.equal(response.headers.get('x-credpool-provider'), 'openai');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('a 429 leaves the rotated-away key cooling in auth list', async (t) => {
  const { gateway } = await chatWithFailingFirstKey(t, openai.rateLimit());

  const row = gateway.credential('openai', 'key-1');

  assert.equal(row.state, 'cooling');
  assert.equal(row.reason, 'rate_limit');
  assert.equal(row.status_code, 429);
  assert.equal(gateway.credential('openai', 'key-2').state, 'ok');
});

test('a 402 rotates and marks the key as out of quota', async (t) => {
  const { upstream, gateway, response } = await chatWithFailingFirstKey(t,
    openai.paymentRequired());

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
  const row = gateway.credential('openai', 'key-1');
  assert.equal(row.state, 'cooling');
  assert.equal(row.reason, 'quota');
});

test('an OpenAI insufficient_quota 429 rotates and is classified as quota', async (t) => {
  const { gateway, response } = await chatWithFailingFirstKey(t, openai.insufficientQuota());

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.equal(gateway.credential('openai', 'key-1').reason, 'quota');
});

test('a 403 rotates and takes the key out of rotation', async (t) => {
  const { upstream, gateway, response } = await chatWithFailingFirstKey(t, openai.forbidden());

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
  const row = gateway.credential('openai', 'key-1');
  // DESIGN: "mark cooling, re-auth required"; a terminal verdict (dead) is also acceptable.
  assert.ok(['cooling', 'dead'].includes(row.state), `state ${row.state}`);
  assert.equal(row.reason, 'forbidden');
});

test('a 401 on an API key rotates and takes the key out of rotation', async (t) => {
  const { upstream, gateway, response } = await chatWithFailingFirstKey(t,
    openai.invalidApiKey({ key: kKey1 }));

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
  const row = gateway.credential('openai', 'key-1');
  assert.ok(['cooling', 'dead'].includes(row.state), `state ${row.state}`);
  assert.equal(row.reason, 'auth');
});

test('Retry-After: 120 cools the key for about 120 s, from the provider', async (t) => {
  const before = nowSeconds();
  const { gateway } = await chatWithFailingFirstKey(t, openai.rateLimit({ retryAfter: 120 }));

  const row = gateway.credential('openai', 'key-1');

  assert.equal(row.reset_source, 'provider');
  const wait = row.resets_at - before;
  assert.ok(wait >= 115 && wait <= 125, `resets_at - now = ${wait}`);
});

test('the next request goes straight to the key that is not cooling', async (t) => {
  const { upstream, gateway } = await chatWithFailingFirstKey(t, openai.rateLimit());
  upstream.reset();

  const response = await gateway.chat();

  assert.equal(response.status, 200);
  assert.deepEqual(upstream.credentialsUsed(), [kKey2]);
});

test('the client Authorization and x-api-key headers never reach the upstream', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });

  const response = await gateway.chat({ headers: { authorization: 'Bearer client-own-token',
    'x-api-key': 'client-own-x-api-key' } });

  assert.equal(response.status, 200);
  const sent = upstream.requests[0];
  assert.equal(sent.headers.authorization, `Bearer ${kKey1}`);
  const everyHeader = JSON.stringify(sent.headers);
  assert.ok(!everyHeader.includes('client-own'), everyHeader);
});

test('the upstream gets the request body and path the client sent', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });

  await gateway.chat({ model: 'gpt-4o-mini' });

  assert.equal(upstream.requests[0].method, 'POST');
  assert.equal(upstream.requests[0].path, '/v1/chat/completions');
  assert.equal(upstream.requests[0].body.model, 'gpt-4o-mini');
  assert.equal(upstream.requests[0].body.messages[0].content, 'Say hello.');
});
