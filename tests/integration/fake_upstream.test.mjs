// Self-test of the test support: FakeUpstream's rules, recording and wire formats (checked by
// the official SDKs talking to it directly), and the harness's failure when the gateway cannot
// start. Needs no working gateway.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

import { anthropic, makeGate, openai, openrouter, startFakeUpstream } from
  '../support/fake_upstream.mjs';
import { readSse } from '../support/gateway.mjs';

async function withUpstream(t) {
  const upstream = await startFakeUpstream();
  t.after(() => upstream.close());
  return upstream;
}

const chatBody = (stream = false) => JSON.stringify({ model: 'gpt-4o-mini', stream,
  messages: [{ role: 'user', content: 'hi' }] });

function post(upstream, path, { key, body = chatBody(), headers = {} } = {}) {
  return fetch(`${upstream.url}${path}`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    signal: AbortSignal.timeout(10_000) });
}

test('a rule matched by credential answers only that credential', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({ credential: 'sk-key-1' }, openai.rateLimit({ retryAfter: 120 }));

  const limited = await post(upstream, '/v1/chat/completions', { key: 'sk-key-1' });
  const ok = await post(upstream, '/v1/chat/completions', { key: 'sk-key-2' });

  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '120');
  assert.equal(limited.headers.get('x-ratelimit-reset-requests'), '2m0s');
  assert.equal((await limited.json()).error.code, 'rate_limit_exceeded');
  assert.equal(ok.status, 200);
  assert.deepEqual(upstream.credentialsUsed(), ['sk-key-1', 'sk-key-2']);
});

test('a rule with times stops matching after that many requests', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({ path: '/v1/chat/completions', times: 1 }, openai.serverError());

  const first = await post(upstream, '/v1/chat/completions', { key: 'k' });
  const second = await post(upstream, '/v1/chat/completions', { key: 'k' });

  assert.deepEqual([first.status, second.status], [500, 200]);
});

test('x-api-key is recorded as the credential with the parsed body', async (t) => {
  const upstream = await withUpstream(t);

  await fetch(`${upstream.url}/v1/messages`, { method: 'POST', headers: {
    'x-api-key': 'sk-ant-1', 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'claude-x', max_tokens: 5, messages: [] }) });

  assert.equal(upstream.requests[0].credential, 'sk-ant-1');
  assert.equal(upstream.requests[0].body.model, 'claude-x');
  assert.equal(upstream.requests[0].path, '/v1/messages');
});

test('a gated SSE event is not written before its gate opens', async (t) => {
  const upstream = await withUpstream(t);
  const gate = makeGate();
  upstream.when({}, openai.chatStream({ pieces: ['A', 'B'], gates: [undefined, gate.promise] }));
  const response = await post(upstream, '/v1/chat/completions', { key: 'k', body: chatBody(true) });
  const seen = [];

  await readSse(response, ({ data }) => {
    if (data === '[DONE]') return true;
    const content = JSON.parse(data).choices[0].delta.content;
    if (content) seen.push([content, upstream.requests[0].eventsWritten]);
    if (content === 'A') gate.release();
    return false;
  });

  assert.deepEqual(seen[0], ['A', 2]);
  assert.equal(seen[1][0], 'B');
});

test('a held stream records the peer closing it', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({}, openai.chatStream({ pieces: ['A'], hold: true }));
  const controller = new AbortController();
  const response = await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST',
    body: chatBody(true), signal: controller.signal });

  await readSse(response, ({ data }) => data.includes('"A"'));
  controller.abort();

  await upstream.waitFor(() => upstream.requests[0].closedByPeer, 5_000, 'the peer to close');
  assert.equal(upstream.requests[0].finished, false);
});

test('the OpenAI SDK reads the fake chat completion and its stream', async (t) => {
  const upstream = await withUpstream(t);
  const client = new OpenAI({ baseURL: upstream.baseUrl(), apiKey: 'sk-1', maxRetries: 0 });

  const completion = await client.chat.completions.create({ model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }] });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true,
    messages: [{ role: 'user', content: 'hi' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';

  assert.equal(completion.choices[0].message.content, 'Hello from the fake upstream.');
  assert.equal(text, 'Hello from the stream.');
});

test('the OpenAI SDK sees the fake 429 as a RateLimitError', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({}, openai.insufficientQuota());
  const client = new OpenAI({ baseURL: upstream.baseUrl(), apiKey: 'sk-1', maxRetries: 0 });

  const call = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });

  await assert.rejects(call, (e) => e instanceof OpenAI.RateLimitError &&
    e.code === 'insufficient_quota');
});

test('the OpenAI SDK reads the fake Responses API answers', async (t) => {
  const upstream = await withUpstream(t);
  const client = new OpenAI({ baseURL: upstream.baseUrl(), apiKey: 'sk-1', maxRetries: 0 });
  upstream.when({ times: 1 }, openai.responseFailed());

  const failed = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
  const ok = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
  const events = [];
  const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi',
    stream: true });
  for await (const event of stream) events.push(event.type);

  assert.equal(failed.status, 'failed');
  assert.equal(failed.error.code, 'insufficient_quota');
  assert.equal(ok.output_text, 'Hello from the fake upstream.');
  assert.deepEqual(events, ['response.created', 'response.in_progress',
    'response.output_text.delta', 'response.completed']);
});

test('the Anthropic SDK reads the fake message and its stream', async (t) => {
  const upstream = await withUpstream(t);
  const client = new Anthropic({ baseURL: upstream.url, apiKey: 'sk-ant-1', maxRetries: 0 });
  const params = { model: 'claude-fake-model', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] };

  const message = await client.messages.create(params);
  const streamed = await client.messages.stream(params).finalMessage();

  assert.equal(message.content[0].text, 'Hello from the fake upstream.');
  assert.equal(streamed.content[0].text, 'Hello from the stream.');
  assert.equal(upstream.requests[0].credential, 'sk-ant-1');
});

test('the Anthropic SDK sees the fake 429 and 529 as their error types', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({ times: 1 }, anthropic.rateLimit({ retryAfter: 30 }));
  upstream.when({ times: 1 }, anthropic.overloaded());
  const client = new Anthropic({ baseURL: upstream.url, apiKey: 'sk-ant-1', maxRetries: 0 });
  const params = { model: 'claude-fake-model', max_tokens: 64, messages: [] };

  await assert.rejects(client.messages.create(params), (e) => e instanceof
    Anthropic.RateLimitError && e.headers.get('anthropic-ratelimit-requests-reset') !== null);
  await assert.rejects(client.messages.create(params), (e) => e.status === 529 &&
    e.error?.error?.type === 'overloaded_error');
});

test('the Anthropic SDK surfaces an error event mid-stream', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({}, anthropic.streamError());
  const client = new Anthropic({ baseURL: upstream.url, apiKey: 'sk-ant-1', maxRetries: 0 });

  const run = client.messages.stream({ model: 'claude-fake-model', max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }] }).finalMessage();

  await assert.rejects(run, /Overloaded|overloaded_error/);
});

test('the OpenRouter wrapper 429 names the upstream provider', async (t) => {
  const upstream = await withUpstream(t);
  upstream.when({}, openrouter.providerError());

  const response = await post(upstream, '/openrouter/v1/chat/completions', { key: 'sk-or-1' });

  assert.equal(response.status, 429);
  assert.equal((await response.json()).error.message, 'Provider returned error');
});
