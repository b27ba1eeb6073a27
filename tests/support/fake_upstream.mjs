// FakeUpstream: an in-process provider server on 127.0.0.1:0 that speaks the real wire formats
// (OpenAI chat completions and Responses, Anthropic Messages, GET /v1/models) and answers with
// canned responses chosen by rules matched on the credential used and/or the path. It records
// every request so tests can assert which key reached the provider and which headers did not.
//
// Usage:
//   const upstream = await startFakeUpstream();
//   upstream.when({ credential: 'sk-key-1' }, openai.rateLimit({ retryAfter: 120 }));
//   ... drive the gateway ...
//   assert.deepEqual(upstream.credentialsUsed(), ['sk-key-1', 'sk-key-2']);
//   await upstream.close();
//
// A response spec is one of:
//   { status, headers, json }            a JSON body
//   { status, headers, text }            a raw body
//   { status, headers, sse: [event...], hold, holdTimeoutMs }
//       event: { event?, data (object | string), delayMs?, gate? (a Promise awaited first) }
//       hold: keep the stream open after the last event until the peer closes (bounded)
//   a function (record) => spec          computed per request
// Requests that match no rule get a realistic success for their path (streaming when the body
// asks for `stream: true`).
import http from 'node:http';

import * as anthropic from './wire_anthropic.mjs';
import * as openai from './wire_openai.mjs';

export { anthropic, openai };
export { openrouter } from './wire_openai.mjs';

const kGateTimeoutMs = 10_000;
const kHoldTimeoutMs = 30_000;

// Timers are unref'd so a pending gate or hold never keeps the test process alive.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

// Returns the secret a request authenticated with: the Bearer token, else x-api-key.
function credentialOf(headers) {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
    return authorization.slice(7).trim();
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : null;
}

function matches(rule, record) {
  const m = rule.match;
  if (m.credential !== undefined && m.credential !== record.credential) return false;
  if (m.method !== undefined && m.method.toUpperCase() !== record.method) return false;
  if (m.path !== undefined) {
    if (m.path instanceof RegExp ? !m.path.test(record.path) : m.path !== record.path) {
      return false;
    }
  }
  if (m.model !== undefined && (record.body === null || record.body.model !== m.model)) {
    return false;
  }
  return rule.remaining === undefined || rule.remaining > 0;
}

// Returns the default success for a request, in the wire its path implies.
function defaultResponse(record) {
  const body = record.body && typeof record.body === 'object' ? record.body : {};
  const stream = body.stream === true;
  const model = body.model ?? 'unknown-model';
  const path = record.path;
  if (record.method === 'GET' && path.endsWith('/models')) return openai.models();
  if (path.endsWith('/chat/completions')) {
    return stream ? openai.chatStream({ model }) : openai.chat({ model });
  }
  if (path.endsWith('/responses')) {
    return stream ? openai.responseStream({ model }) : openai.response({ model });
  }
  if (path.endsWith('/messages')) {
    return stream ? anthropic.messageStream({ model }) : anthropic.message({ model });
  }
  if (path.endsWith('/embeddings')) return openai.embeddings({ model });
  if (path.endsWith('/completions')) return openai.completion({ model });
  return { status: 404, json: { error: { message: `fake upstream: no route ${path}` } } };
}

export class FakeUpstream {
  constructor() {
    this.requests = [];
    this.rules = [];
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.port = 0;
  }

  async listen() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  // The origin, e.g. http://127.0.0.1:41234 (Anthropic-style base_url).
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  // OpenAI-style base_url: the origin plus `prefix` (default `/v1`).
  baseUrl(prefix = '/v1') {
    return `${this.url}${prefix}`;
  }

  // Adds a rule; the first matching rule wins. `match`: { credential?, path? (string|RegExp),
  // method?, model?, times? (the rule answers this many requests, then no longer matches) }.
  when(match, response) {
    const rule = { match, response, remaining: match.times };
    this.rules.push(rule);
    return this;
  }

  // Forgets rules and recorded requests.
  reset() {
    this.rules = [];
    this.requests = [];
  }

  // Returns the credentials of the recorded requests, in arrival order.
  credentialsUsed() {
    return this.requests.map((r) => r.credential);
  }

  requestsWith(credential) {
    return this.requests.filter((r) => r.credential === credential);
  }

  // Polls `predicate` every 20 ms until it returns truthy or `timeoutMs` passes (then throws).
  async waitFor(predicate, timeoutMs = 10_000, what = 'condition') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`fake upstream: timed out after ${timeoutMs} ms waiting for ${what}`);
      }
      await sleep(20);
    }
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body = null;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : null;
    } catch {
      body = null;
    }
    const url = new URL(req.url, 'http://127.0.0.1');
    const record = {
      method: req.method,
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      rawBody,
      body,
      credential: credentialOf(req.headers),
      receivedAt: Date.now(),
      status: null,
      eventsWritten: 0,
      finished: false,
      closedByPeer: false,
    };
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.closedByPeer = true;
    });

    const rule = this.rules.find((r) => matches(r, record));
    if (rule && rule.remaining !== undefined) rule.remaining -= 1;
    let spec = rule ? rule.response : defaultResponse(record);
    if (typeof spec === 'function') spec = spec(record);
    try {
      await this.#respond(spec, record, res);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake upstream bug: ${error}`);
      } else {
        res.destroy();
      }
    }
  }

  async #respond(spec, record, res) {
    const status = spec.status ?? 200;
    record.status = status;
    if (spec.delayMs) await sleep(spec.delayMs);
    if (spec.sse) {
      res.writeHead(status, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...spec.headers,
      });
      res.flushHeaders();
      for (const event of spec.sse) {
        if (event.gate) await Promise.race([event.gate, sleep(kGateTimeoutMs)]);
        if (event.delayMs) await sleep(event.delayMs);
        if (record.closedByPeer) return;
        res.write(formatSse(event));
        record.eventsWritten += 1;
      }
      if (spec.cut) {  // the connection breaks mid-stream: no terminating chunk
        res.socket.destroy();
        return;
      }
      if (spec.hold) {
        const deadline = Date.now() + (spec.holdTimeoutMs ?? kHoldTimeoutMs);
        while (!record.closedByPeer && Date.now() < deadline) await sleep(20);
        if (record.closedByPeer) return;
      }
      res.end();
      record.finished = true;
      return;
    }
    const text = spec.json !== undefined ? JSON.stringify(spec.json) : (spec.text ?? '');
    const headers = { ...spec.headers };
    if (spec.json !== undefined && !hasHeader(headers, 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    headers['content-length'] = Buffer.byteLength(text);
    res.writeHead(status, headers);
    res.end(text);
    record.finished = true;
  }
}

function hasHeader(headers, name) {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

// Formats one SSE event: an optional `event:` line, one `data:` line, a blank line.
export function formatSse({ event, data }) {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

// Starts a FakeUpstream on 127.0.0.1 with an ephemeral port.
export async function startFakeUpstream() {
  return new FakeUpstream().listen();
}

// Returns { promise, release } for an SSE event's `gate`.
export function makeGate() {
  let release;
  const promise = new Promise((resolve) => {
    release = resolve;
  });
  return { promise, release };
}
