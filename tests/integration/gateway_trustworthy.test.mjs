// A failure is the key's fault only when the recovery table says so: request faults, redirects,
// unrecognised answers and an aggregator's upstream trouble reach the client as the provider
// sent them and bench nothing; empty and exhausted pools say what to do; a burst onto a limited
// key rotates every request; a stream cut after its head ends with an error event.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { openai, openrouter } from '../support/fake_upstream.mjs';
import { readSse, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey1 = 'sk-test-trust-one-aaaaaaaaaaaa1111';
const kKey2 = 'sk-test-trust-two-bbbbbbbbbbbb2222';
const twoKeys = [
  { provider: 'openai', key: kKey1, label: 'key-1' },
  { provider: 'openai', key: kKey2, label: 'key-2' },
];

function journal(gateway) {
  const file = path.join(gateway.home, 'events.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('a bad image URL soft failure is the client\'s answer and benches no key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoKeys });
  upstream.when({ credential: kKey1 }, openai.responseFailed({ code: 'invalid_image_url',
    message: 'Error while downloading https://example.invalid/cat.png.' }));

  const response = await gateway.fetch('/v1/responses',
    { json: { model: 'gpt-4o-mini', input: 'Describe the image.' } });

  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.error.code, 'invalid_image_url');
  assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
  assert.equal(gateway.credential('openai', 'key-2').state, 'ok');
});

test('a redirect is passed to the client and benches no key', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoKeys });
  const moved = `${upstream.url}/moved/v1/chat/completions`;
  upstream.when({ credential: kKey1 }, { status: 307, headers: { location: moved }, text: '' });

  const response = await gateway.fetch('/v1/chat/completions', { redirect: 'manual',
    json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });

  assert.equal(response.status, 307);
  assert.equal(response.headers.get('location'), moved);
  assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});

test('an unrecognised failure is passed through, journalled unclassified, and benches nothing',
  async (t) => {
    const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoKeys });
    upstream.when({ credential: kKey1 }, openai.responseFailed({ code: 'mystery_failure',
      message: 'Something nobody has a rule for happened.' }));

    const response = await gateway.fetch('/v1/responses',
      { json: { model: 'gpt-4o-mini', input: 'Say hello.' } });

    assert.equal(response.status, 200);
    assert.equal((await response.json()).error.code, 'mystery_failure');
    assert.deepEqual(upstream.credentialsUsed(), [kKey1]);
    assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
    await gateway.stop();
    const events = journal(gateway).filter((e) => e.event === 'unclassified');
    assert.equal(events.length, 1);
    assert.equal(events[0].status, 200);
    assert.equal(events[0].label, 'key-1');
  });

test('an OpenRouter provider error quoting quota text leaves the OpenRouter key alone',
  async (t) => {
    const { upstream, gateway } = await startGatewayWithUpstream(t, {
      keys: [{ provider: 'openrouter', key: 'sk-test-or-ffffffffffffffff0000', label: 'or-1' }] });
    upstream.when({ path: /openrouter/ }, () => {
      const answer = openrouter.providerError({ providerName: 'OpenAI' });
      answer.json.error.metadata.raw = 'You exceeded your current quota, please check your plan ' +
        'and billing details.';
      return answer;
    });

    const response = await gateway.chat({ model: 'openrouter/openai/gpt-4o-mini' });

    assert.equal(response.status, 429);
    assert.equal((await response.json()).error.message, 'Provider returned error');
    assert.equal(gateway.credential('openrouter', 'or-1').state, 'ok');
  });

test('a provider with no credential answers 503 credentials_missing naming the command',
  async (t) => {
    const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [] });

    const response = await gateway.chat();

    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), null);
    const body = await response.json();
    assert.equal(body.error.code, 'credentials_missing');
    assert.match(body.error.message, /credpool auth add openai/);
    assert.equal(upstream.requests.length, 0);
  });

test('a burst onto a rate-limited key rotates every request to the free sibling', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoKeys });
  upstream.when({ credential: kKey1 }, { ...openai.rateLimit({ retryAfter: 60 }), delayMs: 50 });

  const responses = await Promise.all(Array.from({ length: 16 }, () => gateway.chat()));

  for (const response of responses) {
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-credpool-credential'), 'key-2');
    await response.arrayBuffer();
  }
  assert.equal(gateway.credential('openai', 'key-1').state, 'cooling');
});

test('a stream cut after its head ends with an error event, not a bare cut', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: twoKeys });
  const stream = openai.chatStream({ pieces: ['Hel', 'lo'] });
  upstream.when({ credential: kKey1 }, { ...stream, sse: stream.sse.slice(0, 2), cut: true });

  const response = await gateway.chat({ stream: true });
  const events = [];
  await readSse(response, (e) => { events.push(e); });

  assert.equal(response.status, 200);
  const last = events.at(-1);
  assert.ok(last, 'at least the error event arrived');
  assert.equal(JSON.parse(last.data).error.code, 'upstream_unreachable');
  assert.equal(gateway.credential('openai', 'key-1').state, 'ok');
});
