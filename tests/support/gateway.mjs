// Harness for driving the real `credpool` binary ($CREDPOOL_BIN) against a FakeUpstream: a temp
// CREDPOOL_HOME with a config.yaml pointing every provider at the fake, keys added through the
// CLI, and `credpool serve --listen 127.0.0.1:0` as a child process. Every wait has a deadline,
// so a gateway that does not start or does not answer fails the test with a message, not a hang.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startFakeUpstream } from './fake_upstream.mjs';

const kStartTimeoutMs = 20_000;  // the test build is ASan/UBSan-instrumented
const kStopTimeoutMs = 10_000;
const kCliTimeoutMs = 20_000;
export const kRequestTimeoutMs = 30_000;

const liveChildren = new Set();
// Set when a start timed out: later starts in this file fail at once instead of waiting again.
let hungStart = null;
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

// Returns $CREDPOOL_BIN, or throws saying how to set it.
export function credpoolBin() {
  const bin = process.env.CREDPOOL_BIN;
  if (!bin) {
    throw new Error('CREDPOOL_BIN is not set: run through ctest, or ' +
      'CREDPOOL_BIN=/path/to/credpool node --test <file>');
  }
  if (!fs.existsSync(bin)) throw new Error(`CREDPOOL_BIN=${bin} does not exist`);
  return bin;
}

// Returns the environment for credpool child processes: this one's, without provider key
// variables (they would seed pools), with HOME and CREDPOOL_HOME pointing at `home`.
function childEnv(home, extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/_API_KEY(_\d+)?$/.test(name) || (/^CREDPOOL_/.test(name) && name !== 'CREDPOOL_BIN')) {
      continue;
    }
    env[name] = value;
  }
  env.HOME = home;
  env.CREDPOOL_HOME = home;
  env.ASAN_OPTIONS ??= 'detect_leaks=0';
  return { ...env, ...extra };
}

// Returns the config.yaml object for `upstream`: openai, anthropic and openrouter (under
// /openrouter/v1, so its requests are told apart by path) all served by the fake, fill_first.
export function defaultConfig(upstream) {
  return {
    default_provider: 'openai',
    providers: {
      openai: { base_url: upstream.baseUrl('/v1') },
      anthropic: { base_url: upstream.url },
      openrouter: { base_url: upstream.baseUrl('/openrouter/v1') },
    },
    credential_pool_strategies: { openai: 'fill_first', anthropic: 'fill_first',
      openrouter: 'fill_first' },
    timeouts: { connect: 5, first_byte: 30, idle: 30 },
  };
}

export class Gateway {
  constructor({ home, env }) {
    this.home = home;
    this.env = env;
    this.child = null;
    this.port = 0;
    this.stdout = '';
    this.stderr = '';
    this.exitCode = undefined;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  // Runs `credpool ARGS...` in this home; returns stdout. Throws with stderr on a non-zero exit.
  cli(args, { input } = {}) {
    try {
      return execFileSync(credpoolBin(), args, { env: this.env, input, encoding: 'utf8',
        timeout: kCliTimeoutMs, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      throw new Error(`credpool ${args.join(' ')} failed (status ${error.status}, signal ` +
        `${error.signal}): ${error.stderr ?? error.message}`);
    }
  }

  addKey(provider, key, label) {
    const args = ['auth', 'add', provider, '--api-key', key];
    if (label) args.push('--label', label);
    this.cli(args);
  }

  // Returns `auth list [provider] --json`, parsed.
  authList(provider) {
    const out = this.cli(['auth', 'list', ...(provider ? [provider] : []), '--json']);
    try {
      return JSON.parse(out);
    } catch {
      throw new Error(`auth list --json printed no JSON: ${JSON.stringify(out.slice(0, 500))}`);
    }
  }

  // Returns the `auth list --json` row of `label` in pool `provider` (throws when absent).
  credential(provider, label) {
    const pool = this.authList(provider)[provider];
    const row = pool?.credentials?.find((c) => c.label === label);
    if (!row) throw new Error(`no credential ${label} in pool ${provider}`);
    return row;
  }

  // Starts `credpool serve --listen 127.0.0.1:0` and waits for its "listening" line.
  async start() {
    if (hungStart) throw new Error(`not started: an earlier start in this file hung: ${hungStart}`);
    const child = spawn(credpoolBin(), ['serve', '--listen', '127.0.0.1:0'],
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    liveChildren.add(child);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => { this.stderr += d; });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exitCode = code ?? signal;
      liveChildren.delete(child);
      resolve();
    }));
    this.exited = exited;
    const listening = new Promise((resolve) => {
      child.stdout.on('data', (d) => {
        this.stdout += d;
        const m = /credpool listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.stdout);
        if (m) resolve(Number(m[1]));
      });
    });
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(resolve, kStartTimeoutMs); });
    const port = await Promise.race([listening, exited.then(() => 'exited'),
      timeout.then(() => 'timeout')]);
    clearTimeout(timer);
    if (typeof port !== 'number') {
      const why = port === 'exited' ? `exited (${this.exitCode}) before printing`
        : `did not print within ${kStartTimeoutMs} ms`;
      await this.stop();
      const message = `credpool serve ${why} "credpool listening on http://127.0.0.1:PORT"; ` +
        `is the gateway implemented? stdout: ${JSON.stringify(this.stdout.slice(-1000))} ` +
        `stderr: ${JSON.stringify(this.stderr.slice(-2000))}`;
      if (port === 'timeout') hungStart = message;
      throw new Error(message);
    }
    this.port = port;
    return this;
  }

  // Stops the server: SIGTERM, then SIGKILL if it has not exited within the deadline.
  async stop() {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    child.kill('SIGTERM');
    const waitExit = (ms) => Promise.race([this.exited.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    if (!(await waitExit(kStopTimeoutMs))) {
      child.kill('SIGKILL');
      await waitExit(5_000);
    }
  }

  // fetch() against the gateway with a deadline; `init.json` is sent as a JSON body.
  async fetch(urlPath, init = {}) {
    const { json, timeoutMs = kRequestTimeoutMs, ...rest } = init;
    const headers = { ...rest.headers };
    if (json !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.url}${urlPath}`, {
        method: json !== undefined ? 'POST' : 'GET',
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
        signal: rest.signal ?? AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (rest.signal?.aborted) throw error;
      throw new Error(`${urlPath}: ${error.message} (${error.cause?.message ?? 'no cause'}); ` +
        this.describe());
    }
  }

  // Says whether the server still runs, with the tail of its stderr (for failure messages).
  describe() {
    const alive = this.exitCode === undefined ? 'running' : `exited (${this.exitCode})`;
    return `gateway ${alive}; stderr tail: ${this.stderr.slice(-3000)}`;
  }

  // POSTs a minimal chat completion for `model` (OpenAI wire).
  chat({ model = 'gpt-4o-mini', stream = false, headers, signal } = {}) {
    return this.fetch('/v1/chat/completions', { headers, signal, json: {
      model, stream, messages: [{ role: 'user', content: 'Say hello.' }] } });
  }

  // POSTs a minimal Anthropic message for `model`.
  message({ model = 'claude-fake-model', stream = false, headers } = {}) {
    return this.fetch('/v1/messages', { headers: { 'anthropic-version': '2023-06-01', ...headers },
      json: { model, stream, max_tokens: 64,
        messages: [{ role: 'user', content: 'Say hello.' }] } });
  }
}

// Starts a FakeUpstream and a gateway whose home holds `config` (default: defaultConfig merged
// with `configExtra`) and `keys` ([{provider, key, label}]); registers cleanup on `t` (a
// node:test context). Returns { upstream, gateway }.
export async function startGatewayWithUpstream(t, { keys = [], config, configExtra = {},
  env = {}, patchConfig } = {}) {
  const upstream = await startFakeUpstream();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'credpool-test-'));
  fs.chmodSync(home, 0o700);
  const gateway = new Gateway({ home, env: childEnv(home, env) });
  t.after(async () => {
    await gateway.stop();
    await upstream.close();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const cfg = config ?? { ...defaultConfig(upstream), ...configExtra };
  if (patchConfig) patchConfig(cfg, upstream);  // for values that need the upstream's port
  // JSON is YAML: yaml-cpp reads the flow style, so no YAML writer is needed.
  fs.writeFileSync(path.join(home, 'config.yaml'), JSON.stringify(cfg, null, 2));
  for (const { provider, key, label } of keys) gateway.addKey(provider, key, label);
  await gateway.start();
  return { upstream, gateway };
}

// Reads an SSE response body event by event. Calls onEvent({event, data}) for each (data is the
// raw string); stops when onEvent returns true, the body ends, or `timeoutMs` passes (throws).
export async function readSse(response, onEvent, { timeoutMs = kRequestTimeoutMs } = {}) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  let buffer = '';
  for (;;) {
    let timer;
    const left = deadline - Date.now();
    const chunk = await Promise.race([reader.read(), new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`SSE: no event within ${timeoutMs} ms`)),
        Math.max(left, 0));
    })]).finally(() => clearTimeout(timer));
    if (chunk.done) return;
    buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: null, data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event.event = line.slice(6).trim();
        if (line.startsWith('data:')) event.data += line.slice(5).replace(/^ /, '');
      }
      if (onEvent(event)) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
  }
}

// Polls `fn` (may be async) until it returns truthy or `timeoutMs` passes; returns the last value.
export async function eventually(fn, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await fn();
    if (value || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
