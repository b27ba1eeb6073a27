// The official OpenAI SDK as the client, with baseURL at the gateway: it must see an ordinary
// OpenAI API even when the gateway rotated away from a rate-limited key behind its back.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import OpenAI from 'openai';

import { openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-sdk-openai-one-qqqq1111';
const kKey2 = 'sk-test-sdk-openai-two-rrrr2222';

// Starts a gateway with two OpenAI keys, key 1 answering 429; returns an SDK client for it.
async function startWithLimitedFirstKey(t, key2Response) {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: kKey1, label: 'key-1' },
    { provider: 'openai', key: kKey2, label: 'key-2' },
  ] });
  upstream.when({ credential: kKey1 }, openai.rateLimit());
  upstream.when({ credential: kKey2 }, key2Response);
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'any-client-key',
    maxRetries: 0, timeout: 30_000 });
  return { upstream, gateway, client };
}

const messages = [{ role: 'user', content: 'Say hello.' }];

test('the OpenAI SDK gets a chat completion through a rotation', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t,
    openai.chat({ content: 'Hello via key 2.' }));

  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages }).withResponse();

  assert.equal(data.choices[0].message.content, 'Hello via key 2.');
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('the OpenAI SDK streams a chat completion through a rotation', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t,
    openai.chatStream({ pieces: ['Stream', 'ed ', 'via key 2.'] }));

  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages,
    stream: true });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }

  assert.equal(text, 'Streamed via key 2.');
  assert.equal(finish, 'stop');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('the OpenAI SDK client key never reaches the upstream', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t, openai.chat());

  await client.chat.completions.create({ model: 'gpt-4o-mini', messages });

  for (const request of upstream.requests) {
    assert.ok(!JSON.stringify(request.headers).includes('any-client-key'));
  }
});

test('the OpenAI SDK sees credentials_exhausted as a RateLimitError', async (t) => {
  const { upstream, client } = await startWithLimitedFirstKey(t, openai.rateLimit({
    retryAfter: 300 }));
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch(() => {});
  upstream.reset();

  const call = client.chat.completions.create({ model: 'gpt-4o-mini', messages });

  await assert.rejects(call, (e) => e instanceof OpenAI.RateLimitError &&
    e.code === 'credentials_exhausted');
  assert.deepEqual(upstream.requests, []);
});
