// Streaming through the gateway: a rotation before the first byte is invisible to the client,
// the stream is relayed event by event (not buffered), and a client that hangs up mid-stream
// makes the gateway close the upstream response too.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { anthropic, makeGate, openai } from '../support/fake_upstream.mjs';
import { readSse, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-stream-one-kkkkkkkk1212';
const kKey2 = 'sk-test-stream-two-llllllll3434';
const twoOpenAiKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];

test('a stream rotates before the first byte and comes from key 2', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.rateLimit());
  upstream.when({ credential: kKey2 }, openai.chatStream({ pieces: ['Hel', 'lo', '!'] }));

  const response = await gateway.chat({ stream: true });
  let text = '';
  let sawDone = false;
  await readSse(response, ({ data }) => {
    if (data === '[DONE]') sawDone = true;
    else text += JSON.parse(data).choices[0]?.delta?.content ?? '';
    return sawDone;
  });

  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.equal(text, 'Hello!');
  assert.ok(sawDone, 'the stream ends with data: [DONE]');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
});

test('a stream is relayed event by event, not buffered', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  const gate = makeGate();
  upstream.when({ credential: kKey1 }, openai.rateLimit());
  // The upstream holds piece 2 until the client has seen piece 1 (or 10 s pass).
  upstream.when({ credential: kKey2 }, openai.chatStream({ pieces: ['first', 'second'],
    gates: [undefined, gate.promise] }));

  const response = await gateway.chat({ stream: true });
  const seen = [];
  await readSse(response, ({ data }) => {
    if (data === '[DONE]') return true;
    const content = JSON.parse(data).choices[0]?.delta?.content;
    if (content) seen.push({ content, upstreamEventsWritten: upstream.requests[1].eventsWritten });
    if (content === 'first') gate.release();
    return false;
  });

  assert.deepEqual(seen.map((s) => s.content), ['first', 'second']);
  // Events written when the client saw "first": the role chunk and "first", nothing after.
  assert.equal(seen[0].upstreamEventsWritten, 2, 'the gateway buffered the stream');
});

test('a client disconnect mid-stream closes the upstream response', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({}, openai.chatStream({ pieces: ['partial'], hold: true }));
  const controller = new AbortController();

  const response = await gateway.chat({ stream: true, signal: controller.signal });
  await readSse(response, ({ data }) => data.includes('partial'));
  controller.abort();

  await upstream.waitFor(() => upstream.requests[0]?.closedByPeer, 10_000,
    'the gateway to close the upstream stream after the client left');
  assert.equal(upstream.requests[0].finished, false);
});

test('the gateway still serves after a client disconnect mid-stream', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ times: 1 }, openai.chatStream({ pieces: ['partial'], hold: true }));
  const controller = new AbortController();
  const response = await gateway.chat({ stream: true, signal: controller.signal });
  await readSse(response, ({ data }) => data.includes('partial'));
  controller.abort();

  const next = await gateway.chat();

  assert.equal(next.status, 200);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok', 'a hang-up is not a failure');
});

test('an Anthropic stream rotates before the first byte and comes from key 2', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'anthropic', key: 'fake-ant-stream-1-mmmm5656', label: 'claude-1' },
    { provider: 'anthropic', key: 'fake-ant-stream-2-nnnn7878', label: 'claude-2' },
  ] });
  upstream.when({ credential: 'fake-ant-stream-1-mmmm5656' }, anthropic.rateLimit());
  upstream.when({ credential: 'fake-ant-stream-2-nnnn7878' },
    anthropic.messageStream({ pieces: ['Bon', 'jour'] }));

  const response = await gateway.message({ stream: true });
  const events = [];
  let text = '';
  await readSse(response, ({ event, data }) => {
    events.push(event);
    const parsed = JSON.parse(data);
    if (parsed.type === 'content_block_delta') text += parsed.delta.text;
    return event === 'message_stop';
  });

  assert.equal(response.headers.get('x-credpool-credential'), 'claude-2');
  assert.equal(text, 'Bonjour');
  assert.equal(events[0], 'message_start');
  assert.equal(events.at(-1), 'message_stop');
  assert.equal(upstream.requests[1].headers['x-api-key'], 'fake-ant-stream-2-nnnn7878');
});
