// Failures that are the request's fault go back to the client unchanged and leave the key alone;
// an HTTP 200 whose body says the account is out of quota (Responses API `status: failed`) is
// a failure of the key and rotates.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-soft-one-ffffffffffff6666';
const kKey2 = 'sk-test-soft-two-gggggggggggg7777';
const twoOpenAiKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];

function createResponse(gateway) {
  return gateway.fetch('/v1/responses', { json: { model: 'gpt-4o-mini', input: 'Say hello.' } });
}

test('a Responses API status failed for quota rotates to the next key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.responseFailed({ code: 'insufficient_quota' }));
  upstream.when({ credential: kKey2 }, openai.response({ content: 'answer from key 2' }));

  const response = await createResponse(gateway);

  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.status, 'completed');
  assert.equal(body.output[0].content[0].text, 'answer from key 2');
  assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1, kKey2]);
  assert.equal(upstream.requests[0].path, '/v1/responses');
});

test('a Responses API status failed for quota marks the key as out of quota', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.responseFailed({ code: 'insufficient_quota' }));

  await createResponse(gateway);

  const row = gateway.credential('openai', 'key-1');
  assert.equal(row.state, 'cooling');
  assert.equal(row.reason, 'quota');
});

test('a content policy soft failure is returned to the client without rotating', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.responseFailed({ code: 'invalid_prompt',
    message: 'Invalid prompt: your prompt was flagged as potentially violating our usage ' +
      'policy. Please try again with a different prompt.' }));

  const response = await createResponse(gateway);

  assert.equal(response.status, 200, 'the upstream status is passed through');
  const body = await response.json();
  assert.equal(body.status, 'failed');
  assert.equal(body.error.code, 'invalid_prompt');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});

test('a context overflow 400 is returned unchanged and marks nothing', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  const overflow = openai.contextOverflow();
  upstream.when({ credential: kKey1 }, overflow);

  const response = await gateway.chat();

  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), overflow.json);
  assert.equal(response.headers.get('x-request-id'), overflow.headers['x-request-id']);
  assert.equal(response.headers.get('x-credpool-credential'), 'key-1');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
  assert.equal(gateway.credential('openai', 'key-2').state, 'ok');
});

test('a content_policy_violation 400 is returned unchanged and marks nothing', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  const refused = openai.contentPolicy();
  upstream.when({ credential: kKey1 }, refused);

  const response = await gateway.chat();

  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), refused.json);
  assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});
