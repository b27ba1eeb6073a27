// How a clean upstream answer is framed to the client: a whole body within the 64 KiB the gateway
// holds back anyway goes out with its Content-Length; a bigger body or an event stream is
// relayed chunk by chunk.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { readSse, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey = 'sk-test-framing-llll1111';
const keys = [{ provider: 'openai', key: kKey, label: 'key-1' }];

test('a small JSON answer is relayed with its Content-Length, not chunked', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });
  upstream.when({ credential: kKey }, openai.chat({ content: 'framed' }));

  const response = await gateway.chat();

  assert.equal(response.status, 200);
  const text = await response.text();
  assert.equal(JSON.parse(text).choices[0].message.content, 'framed');
  assert.equal(response.headers.get('transfer-encoding'), null);
  assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(text)));
  assert.equal(response.headers.get('x-credpool-credential'), 'key-1');
});

test('a non-JSON small answer is relayed with its Content-Length too', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });
  upstream.when({ credential: kKey }, { status: 200, headers: { 'content-type': 'text/plain' },
    text: 'plain words' });

  const response = await gateway.chat();

  assert.equal(await response.text(), 'plain words');
  assert.equal(response.headers.get('transfer-encoding'), null);
  assert.equal(response.headers.get('content-length'), '11');
});

test('an answer over 64 KiB is streamed through whole', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });
  const big = JSON.stringify({ object: 'list', data: 'x'.repeat(200 * 1024) });
  upstream.when({ credential: kKey }, { status: 200,
    headers: { 'content-type': 'application/json' }, text: big });

  const response = await gateway.chat();

  assert.equal(response.status, 200);
  assert.equal(await response.text(), big);
  assert.equal(response.headers.get('transfer-encoding'), 'chunked');
});

test('an event stream is still relayed chunked, event by event', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });
  upstream.when({ credential: kKey }, openai.chatStream({ pieces: ['a', 'b'] }));

  const response = await gateway.chat({ stream: true });

  assert.equal(response.headers.get('transfer-encoding'), 'chunked');
  const events = [];
  await readSse(response, (e) => { events.push(e.data); });
  assert.equal(events.at(-1), '[DONE]');
});
