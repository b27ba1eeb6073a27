// The gateway journals what happens to credentials in $CREDPOOL_HOME/events.jsonl (DESIGN.md
// "Journal"): one JSON object per line, on the attempt's own provider and credential, never a
// secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { eventually, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-journal-one-aaaaaaaa1111';
const kKey2 = 'sk-test-journal-two-bbbbbbbb2222';
const twoOpenAiKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];
const kFields = ['ts', 'event', 'provider', 'credential_id', 'label', 'status', 'reason',
  'error_code', 'message', 'resets_at', 'reset_source', 'request_id'];

function journalText(gateway) {
  const file = path.join(gateway.home, 'events.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function journalEvents(gateway) {
  return journalText(gateway).split('\n').filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

// Waits until the journal holds an event of `kind`; returns every event.
async function eventsWith(gateway, kind) {
  await eventually(() => journalEvents(gateway).some((e) => e.event === kind));
  return journalEvents(gateway);
}

test('a 429 rotation writes a mark and a rotate line for the failed key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, openai.rateLimit({ retryAfter: 120 }));

  const response = await gateway.chat();
  await response.arrayBuffer();
  assert.equal(response.status, 200);

  const events = await eventsWith(gateway, 'rotate');
  const key1 = gateway.credential('openai', 'key-1');
  const mark = events.find((e) => e.event === 'mark');
  const rotate = events.find((e) => e.event === 'rotate');
  assert.ok(mark, JSON.stringify(events));
  for (const field of kFields) assert.ok(field in mark, `mark lacks ${field}`);
  assert.equal(mark.provider, 'openai');
  assert.equal(mark.credential_id, key1.id);
  assert.equal(mark.label, 'key-1');
  assert.equal(mark.status, 429);
  assert.equal(mark.reason, 'rate_limit');
  assert.equal(mark.reset_source, 'provider');
  assert.ok(Math.abs(mark.resets_at - (Date.now() / 1000 + 120)) < 10, `${mark.resets_at}`);
  assert.equal(typeof mark.request_id, 'string');
  assert.equal(rotate.credential_id, key1.id);
  assert.equal(rotate.reason, 'rate_limit');
  assert.equal(rotate.request_id, mark.request_id);
  assert.ok(events.indexOf(mark) < events.indexOf(rotate), 'mark before rotate');
  assert.ok(events.every((e) => e.credential_id !== gateway.credential('openai', 'key-2').id));
});

test('the journal never holds a secret, even one the provider echoed', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoOpenAiKeys });
  upstream.when({ credential: kKey1 }, { status: 401, json: { error: {
    message: `Incorrect API key provided: ${kKey1}.`, type: 'invalid_request_error',
    code: 'invalid_api_key' } } });

  const response = await gateway.chat({ headers: { 'x-request-id': 'client-req-7' } });
  await response.arrayBuffer();
  assert.equal(response.status, 200);

  const events = await eventsWith(gateway, 'rotate');
  const text = journalText(gateway);
  assert.ok(!text.includes(kKey1), text);
  assert.ok(!text.includes(kKey2), text);
  const marked = events.find((e) => e.event === 'mark' || e.event === 'dead');
  assert.ok(marked, JSON.stringify(events));
  assert.equal(marked.reason, 'auth');
  assert.match(marked.message, /sk-\.\.\.1111/);
  assert.equal(marked.request_id, 'client-req-7');
});

test('an exhausted primary writes a fallback line naming the next provider', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, {
    keys: [{ provider: 'openai', key: kKey1, label: 'key-1' },
      { provider: 'openrouter', key: kKey2, label: 'or-1' }],
    configExtra: { routes: [{ match: 'gpt-*', provider: 'openai',
      fallback: [{ provider: 'openrouter', model: 'openai/gpt-4o-mini' }] }] },
  });
  upstream.when({ credential: kKey1 }, openai.rateLimit({ retryAfter: 600 }));

  const response = await gateway.chat();
  await response.arrayBuffer();
  assert.equal(response.status, 200);

  const events = await eventsWith(gateway, 'fallback');
  const fallback = events.find((e) => e.event === 'fallback');
  assert.equal(fallback.provider, 'openai');
  assert.equal(fallback.label, 'key-1');
  assert.match(fallback.message, /openrouter/);
});
