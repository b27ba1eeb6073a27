// Seeded random bytes and mangled requests on real sockets: the gateway answers each with an
// HTTP error or closes the connection, never crashes, and still serves a normal request after.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kInputs = Number(process.env.CREDPOOL_RANDOM_INPUTS ?? 400);

// A small seeded generator (mulberry32), so a failure can be replayed with its seed.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kValid = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n' +
  'content-length: 60\r\n\r\n{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}]}';

// Returns an input: pure noise, or a valid request with bytes flipped, cut or repeated.
function input(random) {
  const kind = Math.floor(random() * 3);
  if (kind === 0) {
    return Buffer.from(Array.from({ length: Math.floor(random() * 600) },
      () => Math.floor(random() * 256)));
  }
  const bytes = Buffer.from(kValid);
  if (kind === 1) {
    for (let i = 0; i < 1 + Math.floor(random() * 8); ++i) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    return bytes;
  }
  const cut = Math.floor(random() * bytes.length);
  return Buffer.concat([bytes.subarray(0, cut), bytes.subarray(Math.floor(random() * cut))]);
}

// Sends `data`, half-closes, and resolves with what came back when the gateway closes (or
// after 3 s: a partial request may rightly wait for more until the header timeout).
function exchange(port, data) {
  return new Promise((resolve) => {
    const chunks = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.end(data));
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

test(`${kInputs} random and mangled requests never crash the gateway`, { timeout: 600_000 },
  async (t) => {
    const seed = Number(process.env.CREDPOOL_SEED ?? 20261202);
    t.diagnostic(`seed ${seed}`);
    const random = generator(seed);
    const { gateway } = await startGatewayWithUpstream(t, { keys: [
      { provider: 'openai', key: 'sk-test-random-aaaaaaaaaaaa1111', label: 'key-1' }] });
    const port = Number(new URL(gateway.url).port);

    for (let i = 0; i < kInputs; i += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(port,
        input(random))));
      for (const answer of answers) {
        assert.ok(answer === '' || answer.startsWith('HTTP/1.1 '), `not HTTP: ${answer.slice(0, 80)}`);
      }
      assert.equal(gateway.exitCode, undefined, `the gateway died: ${gateway.describe()}`);
    }

    const response = await gateway.chat();
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });
