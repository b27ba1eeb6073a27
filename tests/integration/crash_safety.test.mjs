// Crash safety of the file store: `credpool auth add` processes are SIGKILLed at random moments
// while a gateway serves and counts on the same home. After every kill auth.json still parses
// (the CLI lists it), every add that reported success is there, and the gateway's counts are
// whole. CREDPOOL_KILLS sets the number of kills (100 here; `make stress` runs 1000).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

import { credpoolBin, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKills = Number(process.env.CREDPOOL_KILLS ?? 100);

function addAndMaybeKill(gateway, n, killAfterMs) {
  return new Promise((resolve) => {
    const child = spawn(credpoolBin(), ['auth', 'add', 'openai', '--api-key', '-',
      '--label', `crash-${n}`], { env: gateway.env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(`sk-test-crash-${n}-${'k'.repeat(24)}\n`);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

test(`${kKills} SIGKILLs during writes lose no acknowledged row and never corrupt auth.json`,
  { timeout: 1_800_000 }, async (t) => {
    const { upstream, gateway } = await startGatewayWithUpstream(t, { keys: [
      { provider: 'openai', key: 'sk-test-crash-base-aaaaaaaaaaaaaaaa', label: 'base' }] });
    let served = 0;
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        const r = await gateway.chat();
        await r.arrayBuffer();
        if (r.status === 200) served += 1;
      }
    })();

    const acknowledged = [];
    for (let n = 0; n < kKills; ++n) {
      // Spread the kill over the process's life: start-up, lock wait, write, rename.
      if (await addAndMaybeKill(gateway, n, Math.floor(Math.random() * 120))) acknowledged.push(n);
      if (n % 10 === 9) {
        const pool = gateway.authList('openai').openai;  // throws if auth.json were corrupt
        for (const k of acknowledged) {
          assert.ok(pool.credentials.some((c) => c.label === `crash-${k}`), `crash-${k} lost`);
        }
      }
    }
    stop = true;
    await traffic;
    await gateway.stop();

    const rows = gateway.authList('openai').openai.credentials;
    for (const k of acknowledged) assert.ok(rows.some((c) => c.label === `crash-${k}`));
    const counted = rows.reduce((sum, r) => sum + r.request_count, 0);
    assert.equal(counted, upstream.requests.length, 'every upstream attempt counted once');
    assert.ok(served > 0);
  });
