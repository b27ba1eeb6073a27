// Distinctive fake secrets go through successes, 401s, 429s and a stream; then every place a
// person or a program can read is scanned: the gateway's stderr and stdout, every response the
// client got (headers and bodies), /metrics, /admin/pools, the journal, and the CLI's list,
// status, explain and error output. No secret, and no 12-character fragment of one, may appear.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { openai } from '../support/fake_upstream.mjs';
import { startGatewayWithUpstream } from '../support/gateway.mjs';

const kFragment = 12;

function sentinel(name) {
  return `sk-${name}-${randomBytes(16).toString('hex')}`;
}

// Returns where `text` holds a secret or a long fragment of its random part, or null.
function leak(text, secrets) {
  for (const secret of secrets) {
    const random = secret.slice(secret.lastIndexOf('-') + 1);
    for (let i = 0; i + kFragment <= random.length; ++i) {
      if (text.includes(random.slice(i, i + kFragment))) return random.slice(i, i + kFragment);
    }
  }
  return null;
}

async function seen(response) {
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  return `${response.status}\n${headers}\n\n${await response.text()}`;
}

test('no secret or fragment of one appears anywhere a person or program can read',
  async (t) => {
    const revoked = sentinel('revoked');
    const limited = sentinel('limited');
    const good = sentinel('good');
    const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
      { provider: 'openai', key: revoked, label: 'revoked' },
      { provider: 'openai', key: limited, label: 'limited' },
      { provider: 'openai', key: good, label: 'good' },
    ] });
    // Providers echo (masked or not) the key they were sent: the echo must not travel on.
    upstream.when({ credential: revoked }, openai.invalidApiKey({ key: revoked }));
    upstream.when({ credential: limited }, () => {
      const answer = openai.rateLimit({ retryAfter: 120 });
      answer.json.error.message += ` (key ${limited})`;
      return answer;
    });
    const secrets = [revoked, limited, good];

    const outputs = {};
    outputs.first = await seen(await gateway.chat());
    outputs.second = await seen(await gateway.chat());
    outputs.stream = await seen(await gateway.chat({ stream: true }));
    outputs.metrics = await (await gateway.fetch('/metrics')).text();
    outputs.pools = await (await gateway.fetch('/admin/pools')).text();
    outputs.list = gateway.cli(['auth', 'list']);
    outputs.listJson = gateway.cli(['auth', 'list', '--json']);
    outputs.status = gateway.cli(['status', '--json']);
    await gateway.stop();
    outputs.explainRevoked = gateway.cli(['explain', 'openai', 'revoked']);
    outputs.explainLimited = gateway.cli(['explain', 'openai', 'limited']);
    try {
      // A duplicate (refused); the key goes on stdin so the command line holds no secret.
      gateway.cli(['auth', 'add', 'openai', '--api-key', '-'], { input: `${good}\n` });
    } catch (error) {
      outputs.duplicateError = error.message;
    }
    outputs.stderr = gateway.stderr;
    outputs.stdout = gateway.stdout;
    outputs.journal = fs.readFileSync(path.join(gateway.home, 'events.jsonl'), 'utf8');

    assert.ok(upstream.requestsWith(revoked).length >= 1 && upstream.requestsWith(good).length,
      'every key was used upstream');
    assert.ok(outputs.duplicateError, 'adding a secret twice was refused');
    for (const [where, text] of Object.entries(outputs)) {
      assert.equal(leak(text, secrets), null, `a secret fragment appears in ${where}`);
    }
  });
