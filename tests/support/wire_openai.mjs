// Canned OpenAI-wire responses (and OpenRouter's, which speaks the same wire) for FakeUpstream:
// bodies and headers copied from what api.openai.com and openrouter.ai actually send.
let counter = 0;
const nextId = (prefix) => `${prefix}${Date.now().toString(36)}${(++counter).toString(36)}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// Formats seconds the way OpenAI's x-ratelimit-reset-* headers do (Go durations: 6ms, 20s, 2m0s).
export function goDuration(seconds) {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function requestHeaders(extra = {}) {
  return { 'x-request-id': nextId('req_'), 'openai-processing-ms': '12', ...extra };
}

function errorBody(message, type, code, param = null) {
  return { error: { message, type, param, code } };
}

// --- successes --------------------------------------------------------------------------------

export function chat({ model = 'gpt-4o-mini', content = 'Hello from the fake upstream.' } = {}) {
  return {
    status: 200,
    headers: requestHeaders(),
    json: {
      id: nextId('chatcmpl-'),
      object: 'chat.completion',
      created: nowSeconds(),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
      system_fingerprint: 'fp_fake',
    },
  };
}

// Streams `pieces` as chat.completion.chunk events, then `data: [DONE]`. `gates[i]`, when given,
// is awaited before piece i is written (to prove the gateway relays event by event).
export function chatStream({ model = 'gpt-4o-mini', pieces = ['Hello', ' from', ' the stream.'],
  gates = [], delayMs = 0, hold = false } = {}) {
  const id = nextId('chatcmpl-');
  const created = nowSeconds();
  const chunk = (delta, finish) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const sse = [{ data: chunk({ role: 'assistant', content: '', refusal: null }, null) }];
  pieces.forEach((text, i) => sse.push({ data: chunk({ content: text }, null), gate: gates[i],
    delayMs }));
  if (!hold) {
    sse.push({ data: chunk({}, 'stop') });
    sse.push({ data: '[DONE]' });
  }
  return { status: 200, headers: requestHeaders(), sse, hold };
}

function responseObject({ id, model, status, text, error = null }) {
  return {
    id,
    object: 'response',
    created_at: nowSeconds(),
    status,
    error,
    incomplete_details: null,
    model,
    output: text === null ? [] : [{
      type: 'message',
      id: `msg_${id.slice(5)}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    }],
    usage: text === null ? null : {
      input_tokens: 9, output_tokens: 7, total_tokens: 16,
      input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 },
    },
  };
}

export function response({ model = 'gpt-4o-mini', content = 'Hello from the fake upstream.' }
  = {}) {
  return { status: 200, headers: requestHeaders(),
    json: responseObject({ id: nextId('resp_'), model, status: 'completed', text: content }) };
}

export function responseStream({ model = 'gpt-4o-mini', content = 'Hello from the stream.' } = {}) {
  const id = nextId('resp_');
  const started = responseObject({ id, model, status: 'in_progress', text: null });
  const done = responseObject({ id, model, status: 'completed', text: content });
  const ev = (type, fields, n) => ({ event: type, data: { type, sequence_number: n, ...fields } });
  return {
    status: 200,
    headers: requestHeaders(),
    sse: [
      ev('response.created', { response: started }, 0),
      ev('response.in_progress', { response: started }, 1),
      ev('response.output_text.delta',
        { item_id: done.output[0].id, output_index: 0, content_index: 0, delta: content }, 2),
      ev('response.completed', { response: done }, 3),
    ],
  };
}

// An HTTP 200 Responses API body whose status is `failed` (a soft failure), as Codex and the
// Responses API send when the account is out of quota or the prompt was refused.
export function responseFailed({ model = 'gpt-4o-mini', code = 'insufficient_quota',
  message = 'You exceeded your current quota, please check your plan and billing details.' } = {}) {
  return { status: 200, headers: requestHeaders(), json: responseObject({
    id: nextId('resp_'), model, status: 'failed', text: null, error: { code, message } }) };
}

export function models() {
  const created = 1_700_000_000;
  return { status: 200, headers: requestHeaders(), json: { object: 'list', data: [
    { id: 'gpt-4o-mini', object: 'model', created, owned_by: 'system' },
    { id: 'gpt-4o', object: 'model', created, owned_by: 'system' },
  ] } };
}

export function embeddings({ model = 'text-embedding-3-small' } = {}) {
  return { status: 200, headers: requestHeaders(), json: {
    object: 'list', model,
    data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0157] }],
    usage: { prompt_tokens: 2, total_tokens: 2 },
  } };
}

export function completion({ model = 'gpt-3.5-turbo-instruct' } = {}) {
  return { status: 200, headers: requestHeaders(), json: {
    id: nextId('cmpl-'), object: 'text_completion', created: nowSeconds(), model,
    choices: [{ text: ' fake completion', index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
  } };
}

// --- errors -----------------------------------------------------------------------------------

// 429 rate limit with consistent reset hints: `retry-after`, `x-ratelimit-reset-requests` and
// the "Please try again in" text all say `retryAfter` seconds. `retryAfter: null` omits them all.
// No x-ratelimit-reset-tokens: the tokens budget is not the one exhausted, and a short tokens
// reset would make the expected wait ambiguous.
export function rateLimit({ retryAfter = 60, model = 'gpt-4o-mini' } = {}) {
  const headers = requestHeaders({
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-limit-tokens': '200000',
    'x-ratelimit-remaining-tokens': '199000',
  });
  let hint = '';
  if (retryAfter !== null) {
    headers['retry-after'] = String(retryAfter);
    headers['x-ratelimit-reset-requests'] = goDuration(retryAfter);
    hint = ` Please try again in ${goDuration(retryAfter)}.`;
  }
  return { status: 429, headers, json: errorBody(
    `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): ` +
    `Limit 500, Used 500, Requested 1.${hint} Visit https://platform.openai.com/account/` +
    'rate-limits to learn more.', 'requests', 'rate_limit_exceeded') };
}

// 429 that is really spent credit: OpenAI's insufficient_quota.
export function insufficientQuota() {
  return { status: 429, headers: requestHeaders(), json: errorBody(
    'You exceeded your current quota, please check your plan and billing details. For more ' +
    'information on this error, read the docs: https://platform.openai.com/docs/guides/' +
    'error-codes/api-errors.', 'insufficient_quota', 'insufficient_quota') };
}

// 402 Payment Required (OpenAI-compatible providers with prepaid credit).
export function paymentRequired() {
  return { status: 402, headers: requestHeaders(), json: errorBody(
    'Insufficient credits. Add more using https://platform.example/settings/credits',
    'insufficient_quota', 'insufficient_credits') };
}

// 401 with OpenAI's masked echo of the key (first 3 and last 4 characters only).
export function invalidApiKey({ key = 'sk-unknown-key' } = {}) {
  const headers = requestHeaders({ 'www-authenticate': 'Bearer realm="OpenAI API"' });
  return { status: 401, headers,
    json: errorBody(`Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}. You can ` +
      'find your API key at https://platform.openai.com/account/api-keys.',
    'invalid_request_error', 'invalid_api_key') };
}

export function forbidden() {
  return { status: 403, headers: requestHeaders(), json: errorBody(
    'You are not allowed to sample from this model', 'invalid_request_error', null) };
}

export function contextOverflow() {
  return { status: 400, headers: requestHeaders(), json: errorBody(
    "This model's maximum context length is 128000 tokens. However, your messages resulted in " +
    '130412 tokens. Please reduce the length of the messages.', 'invalid_request_error',
    'context_length_exceeded', 'messages') };
}

export function contentPolicy() {
  return { status: 400, headers: requestHeaders(), json: errorBody(
    'Your request was rejected as a result of our safety system. Your prompt may contain text ' +
    'that is not allowed by our safety system.', 'invalid_request_error',
    'content_policy_violation') };
}

export function serverError() {
  return { status: 500, headers: requestHeaders(), json: errorBody(
    'The server had an error while processing your request. Sorry about that!', 'server_error',
    null) };
}

// OpenRouter's answers (OpenAI wire, its own error bodies).
export const openrouter = {
  // 429 from the model provider behind OpenRouter: the key is fine (upstream_rate_limit).
  providerError({ providerName = 'DeepSeek' } = {}) {
    return { status: 429, headers: { 'content-type': 'application/json' }, json: {
      error: { message: 'Provider returned error', code: 429, metadata: {
        raw: `${providerName} is temporarily rate-limited upstream. Please retry shortly.`,
        provider_name: providerName } },
      user_id: 'user_fake' } };
  },
  insufficientCredits() {
    return { status: 402, headers: { 'content-type': 'application/json' }, json: { error: {
      message: 'Insufficient credits. Add more using https://openrouter.ai/settings/credits',
      code: 402 } } };
  },
};
