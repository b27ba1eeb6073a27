// request_count is +1 per upstream attempt made with a credential, whatever the outcome
// (DESIGN.md "Pinned details / State and durability"), retries on the same credential included.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { eventually, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey = 'sk-test-count-aaaaaaaaaaaa1111';
const soleKey = [{ provider: 'openai', key: kKey, label: 'key-1' }];

// Waits until auth list shows `expected` for key-1 (counts are flushed at least every second).
async function countSettles(gateway, expected) {
  const seen = await eventually(() => gateway.credential('openai', 'key-1').request_count ===
    expected, 5_000);
  assert.ok(seen, `request_count ${gateway.credential('openai', 'key-1').request_count}, ` +
    `expected ${expected}`);
}

test('a sole key retried after a short Retry-After counts both attempts', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: soleKey });
  upstream.when({ credential: kKey, times: 1 }, openai.rateLimit({ retryAfter: 1 }));

  const response = await gateway.chat();
  await response.arrayBuffer();

  assert.equal(response.status, 200);
  assert.equal(upstream.requests.length, 2);
  await countSettles(gateway, 2);
});

test('a 500 retried twice counts three attempts', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: soleKey });
  upstream.when({ credential: kKey }, openai.serverError());

  const response = await gateway.chat();
  await response.arrayBuffer();

  assert.equal(response.status, 500);
  assert.equal(upstream.requests.length, 3);
  await countSettles(gateway, 3);
});
