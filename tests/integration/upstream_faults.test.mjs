// Upstream faults at the transport level, from a raw TCP server standing in for the provider:
// a reset, garbage instead of HTTP, a stall before the head, a stall mid-stream, and a storm of
// 5xx. The client always gets a wire-format answer within the configured timeouts, no key is
// ever marked (these are never the key's fault), and the gateway's open descriptors stay flat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';

import { readSse, startGatewayWithUpstream } from '../support/gateway.mjs';

const keys = [
  { provider: 'openai', key: 'sk-test-fault-one-aaaaaaaaaaaa1111', label: 'key-1' },
  { provider: 'openai', key: 'sk-test-fault-two-bbbbbbbbbbbb2222', label: 'key-2' },
];

// Starts a TCP server that hands each connection's first request bytes to `behave(socket)`.
async function rawUpstream(t, behave) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => behave(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${server.address().port}/v1`;
}

async function gatewayOn(t, baseUrl) {
  const { gateway } = await startGatewayWithUpstream(t, { keys, patchConfig: (cfg) => {
    cfg.providers.openai.base_url = baseUrl;
    cfg.timeouts = { connect: 2, first_byte: 1, idle: 1 };
  } });
  return gateway;
}

function openFds(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

function assertNoKeyMarked(gateway) {
  for (const label of ['key-1', 'key-2']) {
    assert.equal(gateway.credential('openai', label).state, 'ok', `${label} was marked`);
  }
}

test('a reset before any answer is a 502 upstream_unreachable and marks nothing', async (t) => {
  const gateway = await gatewayOn(t, await rawUpstream(t, (s) => s.resetAndDestroy()));

  const response = await gateway.chat();

  assert.equal(response.status, 502);
  assert.equal((await response.json()).error.code, 'upstream_unreachable');
  assertNoKeyMarked(gateway);
});

test('garbage instead of HTTP is a 502 upstream_unreachable and marks nothing', async (t) => {
  const gateway = await gatewayOn(t, await rawUpstream(t, (s) => s.end('SSH-2.0-OpenSSH\r\n\r\n')));

  const response = await gateway.chat();

  assert.equal(response.status, 502);
  assert.equal((await response.json()).error.code, 'upstream_unreachable');
  assertNoKeyMarked(gateway);
});

test('a stall before the head is a 504 after one first_byte timeout, not three', async (t) => {
  let connections = 0;
  const gateway = await gatewayOn(t, await rawUpstream(t, () => { connections += 1; }));

  const started = Date.now();
  const response = await gateway.chat();
  const elapsed = Date.now() - started;

  assert.equal(response.status, 504);
  assert.equal((await response.json()).error.code, 'upstream_timeout');
  assert.ok(elapsed < 2_500, `answered after ${elapsed} ms`);
  assert.equal(connections, 1, 'a timed-out request is never retried');
  assertNoKeyMarked(gateway);
});

test('a stream that stalls after its head ends with an error event within idle', async (t) => {
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n' +
    'transfer-encoding: chunked\r\n\r\n';
  const event = 'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n';
  const chunk = `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
  const gateway = await gatewayOn(t, await rawUpstream(t, (s) => s.write(head + chunk)));

  const response = await gateway.chat({ stream: true });
  const events = [];
  await readSse(response, (e) => { events.push(e); }, { timeoutMs: 5_000 });

  assert.equal(response.status, 200);
  assert.equal(events.length, 2);
  assert.equal(JSON.parse(events[1].data).error.code, 'upstream_timeout');
  assertNoKeyMarked(gateway);
});

// Requests of the soak: 3000 in `make test`, 100000 in `make stress` (CREDPOOL_SOAK).
const kSoak = Number(process.env.CREDPOOL_SOAK ?? 3000);
const kConcurrency = 100;  // each request sleeps ~1.25 s in its two transient retries

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

test(`a soak of ${kSoak} 5xx and resets keeps descriptors and memory flat, marks nothing`,
  { timeout: 3_600_000 }, async (t) => {
    let n = 0;
    const baseUrl = await rawUpstream(t, (s) => {
      n += 1;
      if (n % 2 === 0) {
        s.resetAndDestroy();
        return;
      }
      const body = '{"error":{"message":"The server had an error","type":"server_error"}}';
      s.end(`HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
    });
    // ASan's quarantine holds freed memory on purpose; keep it small so RSS measures credpool.
    const { gateway } = await startGatewayWithUpstream(t, { keys,
      env: { ASAN_OPTIONS: 'detect_leaks=0:quarantine_size_mb=4' },
      patchConfig: (cfg) => {
        cfg.providers.openai.base_url = baseUrl;
        cfg.timeouts = { connect: 2, first_byte: 1, idle: 1 };
      } });
    const pid = gateway.child.pid;
    const round = async () => {
      const answers = await Promise.all(Array.from({ length: kConcurrency }, () => gateway.chat()));
      for (const a of answers) {
        assert.ok(a.status === 500 || a.status === 502, `status ${a.status}`);
        await a.arrayBuffer();
      }
    };
    // Warm up at the same concurrency: the client keeps its connections open between rounds,
    // and the gateway's pools and buffers reach their working size.
    for (let i = 0; i < 3; ++i) await round();
    const fdsBefore = openFds(pid);
    const rssBefore = rssKiB(pid);

    for (let done = 0; done < kSoak; done += kConcurrency) await round();
    const fdsAfter = openFds(pid);
    const rssAfter = rssKiB(pid);

    t.diagnostic(`${kSoak} requests: fds ${fdsBefore} -> ${fdsAfter}, ` +
      `RSS ${rssBefore} -> ${rssAfter} KiB`);
    assert.ok(fdsAfter - fdsBefore <= 16, `open descriptors went from ${fdsBefore} to ${fdsAfter}`);
    assert.ok(rssAfter <= rssBefore * 1.2, `RSS went from ${rssBefore} to ${rssAfter} KiB`);
    assertNoKeyMarked(gateway);
  });
