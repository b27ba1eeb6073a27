// The gateway's edges that are not a model request: HEAD answered as GET without a body,
// GET /v1/models from an Anthropic client routed to the Anthropic provider, /healthz naming the
// version, and the start-up warning for a routed provider that has no credential.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { eventually, startGatewayWithUpstream } from '../support/gateway.mjs';

const kOpenAiKey = 'sk-test-edges-openai-aaaa1111';
const kAnthropicKey = 'sk-ant-test-edges-bbbb2222';
const bothKeys = [
  { provider: 'openai', key: kOpenAiKey, label: 'openai-1' },
  { provider: 'anthropic', key: kAnthropicKey, label: 'anthropic-1' },
];

// Returns the version of project() in the top-level CMakeLists.txt.
function projectVersion() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
  const match = /project\(credpool[^)]*VERSION\s+(\d+\.\d+\.\d+)/.exec(cmake);
  assert.ok(match, 'CMakeLists.txt has project(credpool ... VERSION x.y.z)');
  return match[1];
}

test('GET /healthz names the project version', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t);

  const response = await gateway.fetch('/healthz');

  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok', version: projectVersion() });
});

test('HEAD /healthz has the headers of GET and no body', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t);
  const get = await gateway.fetch('/healthz');
  const getBody = await get.text();

  const head = await gateway.fetch('/healthz', { method: 'HEAD' });

  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(getBody)));
  assert.equal(head.headers.get('content-type'), 'application/json');
  assert.equal(await head.text(), '');
});

test('HEAD /v1/models goes upstream as GET and answers without a body', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: bothKeys });

  const head = await gateway.fetch('/v1/models', { method: 'HEAD' });

  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  assert.deepEqual(upstream.requests.map((r) => `${r.method} ${r.path}`), ['GET /v1/models']);
});

test('HEAD on a POST route is 405 with Allow: POST', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: bothKeys });

  const head = await gateway.fetch('/v1/chat/completions', { method: 'HEAD' });

  assert.equal(head.status, 405);
  assert.equal(head.headers.get('allow'), 'POST');
  assert.equal(upstream.requests.length, 0);
});

test('GET /v1/models with anthropic-version goes to the Anthropic provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: bothKeys });

  const response = await gateway.fetch('/v1/models',
    { headers: { 'anthropic-version': '2023-06-01' } });
  await response.arrayBuffer();

  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-credpool-provider'), 'anthropic');
  assert.deepEqual(upstream.credentialsUsed(), [kAnthropicKey]);
  assert.equal(upstream.requests[0].headers['x-api-key'], kAnthropicKey);
  assert.equal(upstream.requests[0].path, '/v1/models');
});

test('GET /v1/models without anthropic-version still goes to the default provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: bothKeys });

  const response = await gateway.fetch('/v1/models');
  await response.arrayBuffer();

  assert.equal(response.status, 200);
  assert.deepEqual(upstream.credentialsUsed(), [kOpenAiKey]);
});

test('GET /v1/models with anthropic-version honours default_anthropic_provider', async (t) => {
  // An Anthropic-wire custom endpoint: credpool never translates wires, so the Anthropic
  // default must speak Anthropic.
  const { upstream, gateway } = await startGatewayWithUpstream(t, {
    keys: bothKeys,
    configExtra: {
      custom_providers: [{ name: 'claude-proxy', base_url: `http://127.0.0.1:${0}/proxy`,
        wire: 'anthropic', api_key: 'sk-test-edges-proxy-dddd4444' }],
      default_anthropic_provider: 'claude-proxy',
    },
    patchConfig: (cfg, up) => { cfg.custom_providers[0].base_url = `${up.url}/proxy`; },
  });

  const response = await gateway.fetch('/v1/models',
    { headers: { 'anthropic-version': '2023-06-01' } });
  await response.arrayBuffer();

  assert.deepEqual(upstream.requests.map((r) => r.path), ['/proxy/v1/models']);
});

test('an Anthropic-wire request is never sent to an OpenAI-wire provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, {
    keys: [...bothKeys, { provider: 'openrouter', key: 'sk-test-or-edges-cccc3333' }],
    configExtra: { default_anthropic_provider: 'openrouter' },
  });

  const response = await gateway.fetch('/v1/models',
    { headers: { 'anthropic-version': '2023-06-01' } });
  await response.arrayBuffer();

  assert.equal(response.status, 502);
  assert.deepEqual(upstream.requests, []);
});

test('serve warns once per routed provider without a credential, naming the command',
  async (t) => {
    const { gateway } = await startGatewayWithUpstream(t, {
      keys: [{ provider: 'openai', key: kOpenAiKey, label: 'openai-1' }],
      configExtra: {
        routes: [{ match: 'gpt-*', provider: 'openai',
          fallback: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini' }] },
        { match: 'claude-*', provider: 'anthropic' }],
      },
    });

    const warned = await eventually(() => gateway.stderr.includes('credpool auth add openrouter'));

    assert.ok(warned, gateway.describe());
    const lines = gateway.stderr.split('\n').filter((l) => l.includes('credpool auth add'));
    assert.equal(lines.filter((l) => l.includes('auth add anthropic')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('auth add openrouter')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('auth add openai')).length, 0, lines.join('\n'));
    assert.ok(lines.every((l) => /warn/i.test(l)), lines.join('\n'));
  });

test('serve warns about nothing when every routed provider has a credential', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys: bothKeys });

  await (await gateway.fetch('/healthz')).arrayBuffer();
  // The log is one ordered queue: once the request's line is out, a start-up warning would be.
  const logged = await eventually(() => gateway.stderr.includes('path=/healthz'));

  assert.ok(logged, gateway.describe());
  assert.ok(!gateway.stderr.includes('credpool auth add'), gateway.describe());
});
