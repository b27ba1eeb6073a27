// Canned Anthropic Messages responses for FakeUpstream: bodies, SSE events and headers as
// api.anthropic.com sends them.
let counter = 0;
const nextId = (prefix) => `${prefix}${Date.now().toString(36)}${(++counter).toString(36)}`;

function requestHeaders(extra = {}) {
  return { 'request-id': nextId('req_'), 'anthropic-organization-id': 'org-fake', ...extra };
}

function errorBody(type, message) {
  return { type: 'error', error: { type, message } };
}

const usage = (input, output) => ({
  input_tokens: input, output_tokens: output,
  cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
});

// --- successes --------------------------------------------------------------------------------

export function message({ model = 'claude-fake-model', content = 'Hello from the fake upstream.' }
  = {}) {
  return { status: 200, headers: requestHeaders(), json: {
    id: nextId('msg_'), type: 'message', role: 'assistant', model,
    content: [{ type: 'text', text: content }],
    stop_reason: 'end_turn', stop_sequence: null, usage: usage(12, 7),
  } };
}

// Streams `pieces` as text deltas between message_start and message_stop. `gates[i]`, when
// given, is awaited before piece i is written.
export function messageStream({ model = 'claude-fake-model',
  pieces = ['Hello', ' from', ' the stream.'], gates = [] } = {}) {
  const ev = (type, fields = {}) => ({ event: type, data: { type, ...fields } });
  const sse = [
    ev('message_start', { message: { id: nextId('msg_'), type: 'message', role: 'assistant',
      model, content: [], stop_reason: null, stop_sequence: null, usage: usage(12, 1) } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping'),
  ];
  pieces.forEach((text, i) => sse.push({
    ...ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    gate: gates[i] }));
  sse.push(ev('content_block_stop', { index: 0 }));
  sse.push(ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 7 } }));
  sse.push(ev('message_stop'));
  return { status: 200, headers: requestHeaders(), sse };
}

// A stream that starts, then fails with an `event: error` (Anthropic overload mid-stream).
export function streamError({ model = 'claude-fake-model', type = 'overloaded_error',
  message: text = 'Overloaded' } = {}) {
  return { status: 200, headers: requestHeaders(), sse: [
    { event: 'message_start', data: { type: 'message_start', message: { id: nextId('msg_'),
      type: 'message', role: 'assistant', model, content: [], stop_reason: null,
      stop_sequence: null, usage: usage(12, 1) } } },
    { event: 'error', data: errorBody(type, text) },
  ] };
}

// --- errors -----------------------------------------------------------------------------------

// 429 with Anthropic's reset headers: retry-after (seconds) and anthropic-ratelimit-*-reset
// (RFC 3339), both saying `retryAfter` seconds from now.
export function rateLimit({ retryAfter = 60 } = {}) {
  const reset = new Date(Date.now() + retryAfter * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return { status: 429, headers: requestHeaders({
    'retry-after': String(retryAfter),
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '40000',
    'anthropic-ratelimit-tokens-remaining': '40000',
    'anthropic-ratelimit-tokens-reset': reset,
    'x-should-retry': 'true',
  }), json: errorBody('rate_limit_error', 'This request would exceed the rate limit for your ' +
    'organization (org-fake) of 50 requests per minute. For details, refer to: ' +
    'https://docs.claude.com/en/api/rate-limits. You can see the response headers for current ' +
    'usage. Please reduce the prompt length or the maximum tokens requested, or try again ' +
    'later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss ' +
    'your options for a rate limit increase.') };
}

export function overloaded() {
  return { status: 529, headers: requestHeaders({ 'x-should-retry': 'true' }),
    json: errorBody('overloaded_error', 'Overloaded') };
}

export function invalidApiKey() {
  return { status: 401, headers: requestHeaders(),
    json: errorBody('authentication_error', 'invalid x-api-key') };
}

export function creditTooLow() {
  return { status: 400, headers: requestHeaders(), json: errorBody('invalid_request_error',
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing ' +
    'to upgrade or purchase credits.') };
}

export function promptTooLong() {
  return { status: 400, headers: requestHeaders(), json: errorBody('invalid_request_error',
    'prompt is too long: 208310 tokens > 200000 maximum') };
}
