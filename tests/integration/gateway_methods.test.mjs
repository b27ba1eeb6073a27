// Each gateway route answers only its own method: the POST endpoints refuse other methods with
// 405 and `Allow: POST` in the client's wire, the GET endpoints with `Allow: GET`, and nothing
// reaches the upstream. Other /v1/* paths still pass through whatever their method.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey = 'sk-test-methods-aaaaaaaaaaaa1111';
const keys = [{ provider: 'openai', key: kKey, label: 'key-1' }];

const postRoutes = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses',
  '/v1/messages', '/v1/messages/count_tokens'];

test('GET on every POST route is 405 with Allow: POST and never reaches upstream', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });

  for (const path of postRoutes) {
    const response = await gateway.fetch(path, { method: 'GET' });
    const body = await response.json();
    assert.equal(response.status, 405, path);
    assert.equal(response.headers.get('allow'), 'POST', path);
    if (path.startsWith('/v1/messages')) {
      assert.equal(body.type, 'error', path);
      assert.equal(typeof body.error.message, 'string', path);
    } else {
      assert.equal(body.error.code, 'method_not_allowed', path);
    }
  }
  assert.equal(upstream.requests.length, 0);
});

test('PUT and DELETE on /v1/chat/completions are 405 too', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });

  for (const method of ['PUT', 'DELETE']) {
    const response = await gateway.fetch('/v1/chat/completions', { method, body: '{}' });
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get('allow'), 'POST');
    await response.arrayBuffer();
  }
  assert.equal(upstream.requests.length, 0);
});

test('POST on the GET-only routes is 405 with Allow: GET', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });

  for (const path of ['/v1/models', '/healthz', '/metrics', '/admin/pools']) {
    const response = await gateway.fetch(path, { method: 'POST', body: '{}' });
    assert.equal(response.status, 405, path);
    assert.equal(response.headers.get('allow'), 'GET', path);
    await response.arrayBuffer();
  }
  assert.equal(upstream.requests.length, 0);
});

test('GET /v1/models and other /v1 paths still pass through', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys });

  const models = await gateway.fetch('/v1/models');
  assert.equal(models.status, 200);
  await models.arrayBuffer();
  const other = await gateway.fetch('/v1/files');
  await other.arrayBuffer();
  assert.deepEqual(upstream.requests.map((r) => `${r.method} ${r.path}`),
    ['GET /v1/models', 'GET /v1/files']);
});
