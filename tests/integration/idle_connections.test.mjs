// Thousands of idle client connections (a slow-loris crowd that never sends a byte) do not keep
// a normal request from being served promptly.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import net from 'node:net';
import { test } from 'node:test';

import { startGatewayWithUpstream } from '../support/gateway.mjs';

// As many as this test process may open, up to 2000 (the soft limit of a CI shell may be 1024).
const softLimit = Number(execSync('sh -c "ulimit -n"', { encoding: 'utf8' }).trim()) || 1024;
const kIdle = Math.min(2000, softLimit - 200);

test(`${kIdle} idle connections do not stop a normal request`, async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: 'sk-test-idle-aaaaaaaaaaaaaaaa1111', label: 'key-1' }] });
  const port = Number(new URL(gateway.url).port);
  const sockets = [];
  t.after(() => { for (const s of sockets) s.destroy(); });
  for (let opened = 0; opened < kIdle; opened += 100) {
    await Promise.all(Array.from({ length: Math.min(100, kIdle - opened) }, () =>
      new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve());
        s.on('error', reject);
        sockets.push(s);
      })));
  }

  // Let the gateway take in the crowd first: the bound is on serving beside it, not on how fast
  // 2000 accepts are drained.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const started = Date.now();
  const response = await gateway.chat();
  const elapsed = Date.now() - started;
  await response.arrayBuffer();

  assert.equal(response.status, 200);
  assert.ok(elapsed < 1_000, `served after ${elapsed} ms beside ${kIdle} idle connections`);
  t.diagnostic(`served in ${elapsed} ms beside ${kIdle} idle connections`);
});
