// SIGTERM (DESIGN.md "Limits"): the listener closes at once, a stream under way runs to its end
// within limits.shutdown_grace, and the process exits 0.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import { makeGate, openai } from '../support/fake_upstream.mjs';
import { readSse, startGatewayWithUpstream } from '../support/gateway.mjs';

const kKey = 'sk-test-shutdown-aaaaaaaa1111';
const keys = [{ provider: 'openai', key: kKey, label: 'key-1' }];

// Resolves with whether a TCP connection to `port` is refused (true) or accepted (false).
function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('SIGTERM lets a stream under way finish, refuses new connections and exits 0', async (t) => {
  const { upstream, gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { shutdown_grace: 20 } } });
  const gate = makeGate();
  upstream.when({ path: '/v1/chat/completions' },
    openai.chatStream({ pieces: ['Hello', ' after', ' SIGTERM'], gates: [undefined, gate.promise] }));
  const response = await gateway.chat({ stream: true });
  assert.equal(response.status, 200);
  const events = [];
  let firstSeen;
  const first = new Promise((resolve) => { firstSeen = resolve; });
  const reading = readSse(response, (event) => {
    events.push(event.data);
    if (events.length === 2) firstSeen();
    return false;
  });
  await first;

  gateway.child.kill('SIGTERM');
  let closed = false;
  for (let i = 0; i < 200 && !closed; ++i) {
    closed = await refused(gateway.port);
    if (!closed) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  gate.release();
  await reading;
  await gateway.exited;

  assert.ok(closed, 'the listener still accepted connections after SIGTERM');
  assert.equal(events.at(-1), '[DONE]');
  assert.ok(events.some((data) => data.includes(' SIGTERM')), events.join('\n'));
  assert.equal(gateway.exitCode, 0, gateway.describe());
});

test('SIGTERM with no request under way exits 0 at once', async (t) => {
  const { gateway } = await startGatewayWithUpstream(t, { keys,
    configExtra: { limits: { shutdown_grace: 20 } } });
  await (await gateway.fetch('/healthz')).arrayBuffer();  // leaves an idle kept-alive connection
  const started = Date.now();

  gateway.child.kill('SIGTERM');
  await gateway.exited;

  assert.equal(gateway.exitCode, 0, gateway.describe());
  assert.ok(Date.now() - started < 5_000, `exit took ${Date.now() - started} ms`);
});
