// Several real `credpool serve` processes on one home (the file store): their request counts
// sum, a mark made by one is honoured by the other within the re-read period, and a key added by
// the CLI while both serve reaches both. Every process is the real binary; nothing here copies
// the gateway's logic.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { eventually, Gateway, startGatewayWithUpstream } from '../support/gateway.mjs';

const keys = [1, 2, 3, 4].map((n) => ({ provider: 'openai',
  key: `sk-test-multi-${n}-${String(n).repeat(16)}`, label: `key-${n}` }));

async function secondGateway(t, first) {
  const second = new Gateway({ home: first.home, env: first.env });
  t.after(() => second.stop());
  await second.start();
  return second;
}

async function chatOk(gateway) {
  const response = await gateway.chat();
  assert.equal(response.status, 200, gateway.describe());
  await response.arrayBuffer();
  return response.headers.get('x-credpool-credential');
}

test('two gateways on one home sum their request counts under least_used', async (t) => {
  const { upstream, gateway: a } = await startGatewayWithUpstream(t, { keys,
    configExtra: { credential_pool_strategies: { openai: 'least_used' } } });
  const b = await secondGateway(t, a);
  const perGateway = 100;

  for (let i = 0; i < perGateway; ++i) {
    await Promise.all([chatOk(a), chatOk(b)]);
  }
  await a.stop();
  await b.stop();

  const rows = a.authList('openai').openai.credentials;
  const counts = rows.map((r) => r.request_count);
  assert.equal(counts.reduce((x, y) => x + y, 0), 2 * perGateway, `counts ${counts}`);
  assert.equal(upstream.requests.length, 2 * perGateway);
  for (const c of counts) assert.ok(c >= 35 && c <= 65, `least_used spread ${counts}`);
});

test('a key one gateway saw rate-limited is skipped by the other after the re-read',
  async (t) => {
    const { upstream, gateway: a } = await startGatewayWithUpstream(t, { keys: keys.slice(0, 2) });
    const b = await secondGateway(t, a);
    upstream.when({ credential: keys[0].key }, openai.rateLimit({ retryAfter: 600 }));

    assert.equal(await chatOk(a), 'key-2');
    const seen = await eventually(async () => {
      const pools = await (await b.fetch('/admin/pools')).json();
      return pools.openai.credentials.find((c) => c.label === 'key-1').state === 'cooling';
    }, 5_000);
    assert.ok(seen, 'gateway B never saw key-1 cooling');
    upstream.reset();

    assert.equal(await chatOk(b), 'key-2');
    assert.deepEqual(upstream.credentialsUsed(), [keys[1].key]);
  });

test('a key added by the CLI while two gateways serve reaches both', async (t) => {
  const { upstream, gateway: a } = await startGatewayWithUpstream(t, { keys: keys.slice(0, 1) });
  const b = await secondGateway(t, a);
  upstream.when({ credential: keys[0].key }, openai.insufficientQuota());

  a.addKey('openai', keys[2].key, 'key-3');

  for (const gateway of [a, b]) {
    const label = await eventually(async () => {
      const response = await gateway.chat();
      await response.arrayBuffer();
      return response.status === 200 ? response.headers.get('x-credpool-credential') : null;
    }, 5_000);
    assert.equal(label, 'key-3');
  }
});

test('eight concurrent `auth add` processes beside a serving gateway lose no row and no count',
  async (t) => {
    const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: keys.slice(0, 1) });
    const { execFile } = await import('node:child_process');
    const { credpoolBin } = await import('../support/gateway.mjs');
    const add = (n) => new Promise((resolve, reject) => {
      execFile(credpoolBin(), ['auth', 'add', 'openai', '--api-key',
        `sk-test-concurrent-${n}-${'c'.repeat(20)}`, '--label', `added-${n}`],
      { env: gateway.env, timeout: 20_000 }, (error, stdout, stderr) =>
        (error ? reject(new Error(`add ${n}: ${stderr}`)) : resolve()));
    });
    const serving = (async () => {
      for (let i = 0; i < 40; ++i) await chatOk(gateway);
    })();

    await Promise.all([serving, ...Array.from({ length: 8 }, (_, n) => add(n))]);
    await gateway.stop();

    const rows = gateway.authList('openai').openai.credentials;
    assert.equal(rows.length, 9);
    for (let n = 0; n < 8; ++n) assert.ok(rows.some((r) => r.label === `added-${n}`), `added-${n}`);
    const total = rows.reduce((sum, r) => sum + r.request_count, 0);
    assert.equal(total, upstream.requests.length);
    assert.equal(total, 40);
  });
