// The gateway's own endpoints (/healthz, /admin/pools, /metrics, /v1/models) and the rule that a
// secret never leaves the process except towards its own provider.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { eventually, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-admin-one-oooooooo1357';
const kKey2 = 'sk-test-admin-two-pppppppp2468';
const twoOpenAiKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];

test('GET /healthz answers 200 status ok', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t);

  const response = await gateway.fetch('/healthz');

  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, 'ok');  // and the version: gateway_routes_edges
});

test('GET /admin/pools equals auth list --json', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });

  const response = await gateway.fetch('/admin/pools');

  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), gateway.authList());
});

test('GET /admin/pools equals auth list --json after a rotation', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.rateLimit({ retryAfter: 900 }));
  await (await gateway.chat()).arrayBuffer();

  // request_count is flushed at least every second: poll until both views agree.
  let pools;
  let listed;
  await eventually(async () => {
    pools = await (await gateway.fetch('/admin/pools')).json();
    listed = gateway.authList();
    return JSON.stringify(pools) === JSON.stringify(listed);
  }, 5_000);

  assert.deepEqual(pools, listed);
  assert.equal(pools.openai.credentials[0].state, 'cooling');
});

test('GET /metrics is Prometheus text with credpool_requests_total', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  await (await gateway.chat()).arrayBuffer();

  const response = await gateway.fetch('/metrics');

  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  assert.match(text, /^credpool_requests_total\{[^}]*provider="openai"[^}]*\} \d+/m);
});

test('GET /metrics counts a rotation in credpool_rotations_total', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.rateLimit());
  await (await gateway.chat()).arrayBuffer();

  const text = await (await gateway.fetch('/metrics')).text();

  assert.match(text, /^credpool_rotations_total\{[^}]*reason="rate_limit"[^}]*\} 1/m);
});

test('GET /v1/models is proxied to the default provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });

  const response = await gateway.fetch('/v1/models');

  assert.equal(response.status, 200);
  assert.equal((await response.json()).object, 'list');
  assert.equal(upstream.requests[0].method, 'GET');
  assert.equal(upstream.requests[0].path, '/v1/models');
  assert.equal(upstream.requests[0].credential, kKey1);
});

test('a secret never appears in stderr, /metrics, /admin/pools or auth list', async (t) => {
  const sentinel = `sk-sentinel-${randomBytes(16).toString('hex')}`;
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
    { provider: 'openai', key: sentinel, label: 'sentinel' },
    { provider: 'openai', key: kKey2, label: 'key-2' },
  ] });
  // An auth failure whose message echoes the masked key: logged, journalled and kept.
  upstream.when({ credential: sentinel }, openai.invalidApiKey({ key: sentinel }));
  await (await gateway.chat()).arrayBuffer();

  const metrics = await (await gateway.fetch('/metrics')).text();
  const pools = await (await gateway.fetch('/admin/pools')).text();
  const listed = gateway.cli(['auth', 'list', '--json']);
  const listedText = gateway.cli(['auth', 'list']);
  await gateway.stop();
  const journalPath = path.join(gateway.home, 'events.jsonl');
  const journal = fs.existsSync(journalPath) ? fs.readFileSync(journalPath, 'utf8') : '';

  assert.equal(upstream.requestsWith(sentinel).length, 1, 'the key was used upstream');
  for (const [where, text] of Object.entries({ stderr: gateway.stderr, stdout: gateway.stdout,
    metrics, pools, listed, listedText, journal })) {
    assert.ok(!text.includes(sentinel), `the secret appears in ${where}`);
    assert.ok(!text.includes(sentinel.slice(12)), `the secret's tail appears in ${where}`);
  }
  assert.equal(JSON.parse(listed).openai.credentials[0].secret_hint, `sk-...${sentinel.slice(-4)}`);
});
