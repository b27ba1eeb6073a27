// The gateway's limits as a client meets them (DESIGN.md "Pinned details / Gateway / Limits"):
// a body over Beast's 1 MiB default is relayed, a body over limits.max_body_bytes gets a 413 the
// client actually reads, oversized headers a 431, a silent connection a 408, and a connection
// over limits.max_connections a 503 with Retry-After: 1 — each in the client's wire.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey = 'sk-test-limits-aaaaaaaa1111';
const keys = [{ provider: 'openai', key: kKey, label: 'key-1' }];
const kMiB = 1024 * 1024;
const kSocketTimeoutMs = 10_000;

// Returns a chat completion request body of at least `bytes` bytes.
function bigChat(bytes) {
  return JSON.stringify({ model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(bytes) }] });
}

// Connects to the gateway, writes `data` (if any), and resolves with everything received until
// the gateway closes the connection (or rejects after kSocketTimeoutMs).
function exchange(port, data) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${kSocketTimeoutMs} ms; got ${JSON.stringify(received)}`));
    }, kSocketTimeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (d) => { received += d; });
    socket.on('error', () => {});  // a reset after the answer still resolves below
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    if (data !== undefined) socket.write(data);
  });
}

// Splits a raw HTTP response into status, lower-cased headers and body (JSON-parsed when it is).
function parse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no HTTP head in ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...fields] = raw.slice(0, end).split('\r\n');
  const headers = {};
  for (const field of fields) {
    const colon = field.indexOf(':');
    headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
  }
  const text = raw.slice(end + 4);
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

test('a 2 MiB chat request is relayed upstream whole', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });
  const body = bigChat(2 * kMiB);

  const response = await gateway.fetch('/v1/chat/completions',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();

  assert.equal(response.status, 200, gateway.describe());
  assert.equal(upstream.requests.length, 1);
  assert.equal(upstream.requests[0].rawBody.length, body.length);
});

test('a body one byte over limits.max_body_bytes gets 413 request_too_large', async (t) => {
  const limit = 2 * kMiB;
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { max_body_bytes: limit } } });
  const head = (length) => `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  const over = parse(await exchange(gateway.port, head(limit + 1) + 'x'.repeat(limit + 1)));

  assert.equal(over.status, 413);
  assert.equal(over.body.error.code, 'request_too_large');
  assert.equal(over.body.error.type, 'invalid_request_error');
  assert.equal(upstream.requests.length, 0);
});

test('fetch() sending a body over the limit reads the 413, not a reset', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { max_body_bytes: 2 * kMiB } } });

  const response = await gateway.fetch('/v1/chat/completions',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: bigChat(8 * kMiB) });

  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.code, 'request_too_large');
  assert.equal(upstream.requests.length, 0);
});

test('a body of exactly limits.max_body_bytes is relayed', async (t) => {
  const limit = 2 * kMiB;
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { max_body_bytes: limit } } });
  const prefix = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"';
  const suffix = '"}]}';
  const body = prefix + 'x'.repeat(limit - prefix.length - suffix.length) + suffix;

  const response = await gateway.fetch('/v1/chat/completions',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();

  assert.equal(Buffer.byteLength(body), limit);
  assert.equal(response.status, 200);
  assert.equal(upstream.requests[0].rawBody.length, limit);
});

test('a too large /v1/messages body gets the 413 in the Anthropic wire', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { max_body_bytes: 1024 } } });

  const raw = await exchange(gateway.port, 'POST /v1/messages HTTP/1.1\r\nHost: x\r\n' +
    `Content-Length: 5000\r\n\r\n${'x'.repeat(5000)}`);
  const over = parse(raw);

  assert.equal(over.status, 413);
  assert.equal(over.body.type, 'error');
  assert.equal(over.body.error.type, 'invalid_request_error');
  assert.match(over.body.error.message, /^request_too_large/);
  assert.equal(over.headers['x-credpool-error'], 'request_too_large');
});

test('a mebibyte of headers gets 431 with a JSON error', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys });

  const raw = await exchange(gateway.port, 'GET /v1/models HTTP/1.1\r\nHost: x\r\n' +
    `X-Pad: ${'a'.repeat(kMiB)}\r\n\r\n`);
  const answer = parse(raw);

  assert.equal(answer.status, 431);
  assert.equal(answer.body.error.code, 'headers_too_large');
});

test('headers within limits.max_header_bytes are served', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { max_header_bytes: 8192 } } });

  const raw = await exchange(gateway.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n' +
    `Connection: close\r\nX-Pad: ${'a'.repeat(7000)}\r\n\r\n`);

  assert.equal(parse(raw).status, 200);
});

test('a connection that sends nothing gets 408 after limits.header_timeout', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { header_timeout: 1 } } });
  const started = Date.now();

  const answer = parse(await exchange(gateway.port));

  assert.equal(answer.status, 408);
  assert.equal(answer.body.error.code, 'request_timeout');
  assert.ok(Date.now() - started >= 900, `answered after ${Date.now() - started} ms`);
});

test('a connection over limits.max_connections gets 503 overloaded with Retry-After: 1',
  async (t) => {
    const { gateway } = await startGatewayWithUpstream(t, { keys,
      configExtra: { limits: { max_connections: 2 } } });
    // Two kept-alive connections that have each been answered are surely open.
    const held = [];
    for (let i = 0; i < 2; ++i) {
      const socket = net.connect(gateway.port, '127.0.0.1');
      held.push(socket);
      await new Promise((resolve, reject) => {
        socket.once('data', resolve);
        socket.once('error', reject);
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
    }
    t.after(() => held.forEach((s) => s.destroy()));

    const answer = parse(await exchange(gateway.port,
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}'));

    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '1');
    assert.equal(answer.body.type, 'error');
    assert.equal(answer.body.error.type, 'overloaded_error');
    assert.match(answer.body.error.message, /^overloaded/);
  });

test('a kept-alive connection idle past limits.client_idle_timeout is closed quietly',
  async (t) => {
    const { gateway } = await startGatewayWithUpstream(t, { keys,
      configExtra: { limits: { client_idle_timeout: 1 } } });
    const started = Date.now();

    const raw = await exchange(gateway.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');

    const answers = raw.match(/HTTP\/1\.1 \d+/g);
    assert.deepEqual(answers, ['HTTP/1.1 200'], raw);  // the close came with no 408
    assert.ok(Date.now() - started >= 900, `closed after ${Date.now() - started} ms`);
  });
