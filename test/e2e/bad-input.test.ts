// Bad requests over raw HTTP: each gets OpenAI's error shape with the right status and an x-request-id, reaches no
// upstream, moves no credit, and leaves the server serving the next good request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCharged, available, usageOf } from '../support/billing-checks.js';
import { startHarness, type FundedAccount, type Harness } from '../support/harness.js';

/** A hang fails the test instead of stalling the run. */
const TEST_TIMEOUT_MS = 30_000;

const MAX_BODY_BYTES = 64 * 1024;

interface Sent {
  method?: string;
  path?: string;
  /** A string is sent as is; an object as JSON; a function gives a streamed (chunked) body. */
  body?: string | Record<string, unknown> | (() => ReadableStream<Uint8Array>);
  /** Authorization header value; undefined = the account's own key; null = no header. */
  auth?: string | null;
}

interface Expected {
  status: number;
  type?: string;
  param: string | null;
  code: string | null;
  message?: RegExp;
}

interface Case {
  name: string;
  send: (acct: FundedAccount, h: Harness) => Promise<Sent> | Sent;
  expect: Expected;
}

const GOOD_CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };

async function send(h: Harness, acct: FundedAccount, s: Sent): Promise<Response> {
  const headers: Record<string, string> = {};
  const auth = s.auth === undefined ? `Bearer ${acct.key}` : s.auth;
  if (auth !== null) headers.authorization = auth;
  let body: RequestInit['body'];
  let duplex: { duplex: 'half' } | undefined;
  if (typeof s.body === 'function') {
    body = s.body();
    duplex = { duplex: 'half' };
    headers['content-type'] = 'application/json';
  } else if (s.body !== undefined) {
    body = typeof s.body === 'string' ? s.body : JSON.stringify(s.body);
    headers['content-type'] = 'application/json';
  }
  return fetch(`${h.gateway.url}${s.path ?? '/v1/chat/completions'}`, { method: s.method ?? 'POST', headers, body, ...duplex } as RequestInit);
}

/** A body of `bytes` bytes sent in 1 KiB chunks with no content-length (chunked transfer encoding). */
function chunkedBody(bytes: number): () => ReadableStream<Uint8Array> {
  return () => {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= bytes) {
          controller.close();
          return;
        }
        const piece = new TextEncoder().encode('x'.repeat(Math.min(1024, bytes - sent)));
        sent += piece.length;
        controller.enqueue(piece);
      },
    });
  };
}

const chat = (body: Record<string, unknown>): Sent => ({ body: { ...GOOD_CHAT, ...body } });
const invalid = (param: string | null, code: string | null, message?: RegExp): Expected => ({ status: 400, param, code, ...(message ? { message } : {}) });

const CASES: Case[] = [
  { name: 'malformed JSON', send: () => ({ body: '{"model": "gpt-4o-mini", "messages": [' }), expect: invalid(null, null, /could not parse the JSON body/) },
  { name: 'a JSON array instead of an object', send: () => ({ body: '[1, 2]' }), expect: invalid(null, null, /could not parse the JSON body/) },
  { name: 'an empty body', send: () => ({ body: '' }), expect: invalid(null, null) },
  { name: 'messages is a string', send: () => chat({ messages: 'hello' }), expect: invalid('messages', 'invalid_type') },
  { name: 'a message is not an object', send: () => chat({ messages: ['hello'] }), expect: invalid('messages[0]', 'invalid_type') },
  { name: 'messages is empty', send: () => chat({ messages: [] }), expect: invalid('messages', 'empty_array') },
  { name: 'messages is missing', send: () => ({ body: { model: 'gpt-4o-mini' } }), expect: invalid('messages', 'missing_required_parameter') },
  { name: 'model is a number', send: () => chat({ model: 4 }), expect: invalid('model', 'invalid_type') },
  { name: 'model is missing', send: () => ({ body: { messages: GOOD_CHAT.messages } }), expect: invalid('model', 'missing_required_parameter') },
  { name: 'max_tokens is -1', send: () => chat({ max_tokens: -1 }), expect: invalid('max_tokens', 'integer_below_min_value') },
  { name: 'max_tokens is 2.5', send: () => chat({ max_tokens: 2.5 }), expect: invalid('max_tokens', 'invalid_type') },
  { name: 'max_completion_tokens is a string', send: () => chat({ max_completion_tokens: '100' }), expect: invalid('max_completion_tokens', 'invalid_type') },
  { name: 'stream is "yes"', send: () => chat({ stream: 'yes' }), expect: invalid('stream', 'invalid_type') },
  { name: 'stream_options is a string', send: () => chat({ stream: true, stream_options: 'usage' }), expect: invalid('stream_options', 'invalid_type') },
  {
    name: 'responses without input',
    send: () => ({ path: '/v1/responses', body: { model: 'gpt-4o-mini' } }),
    expect: invalid('input', 'missing_required_parameter'),
  },
  {
    name: 'embeddings asked to stream',
    send: () => ({ path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'x', stream: true } }),
    expect: invalid('stream', null),
  },
  { name: 'no Authorization header', send: () => ({ body: GOOD_CHAT, auth: null }), expect: { status: 401, param: null, code: null, message: /didn't provide an API key/ } },
  { name: 'Basic instead of Bearer auth', send: (a) => ({ body: GOOD_CHAT, auth: `Basic ${a.key}` }), expect: { status: 401, param: null, code: null } },
  {
    name: 'an unknown key',
    send: () => ({ body: GOOD_CHAT, auth: 'Bearer tg-thisKeyWasNeverIssued0000000000000000' }),
    expect: { status: 401, param: null, code: 'invalid_api_key', message: /Incorrect API key provided/ },
  },
  {
    // Used once (so the gateway has it cached), then revoked from another connection, as the CLI does.
    name: 'a key revoked after use',
    send: async (_a, h) => {
      const other = await h.account('1');
      const used = await send(h, other, { body: GOOD_CHAT });
      assert.equal(used.status, 200, await used.text());
      // Revoked through the gateway's own store (the CLI's separate connection is covered in cli.test.ts).
      assert.ok(await h.store.revokeKey(other.keyId, Date.now()));
      return { body: GOOD_CHAT, auth: `Bearer ${other.key}` };
    },
    expect: { status: 401, param: null, code: 'invalid_api_key' },
  },
  {
    name: 'an unknown model',
    send: () => chat({ model: 'acme-unpriced-1' }),
    expect: { status: 404, param: 'model', code: 'model_not_found', message: /acme-unpriced-1/ },
  },
  {
    name: 'an input longer than the model accepts',
    send: () => ({ path: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'a '.repeat(9_000) } }),
    expect: { status: 400, param: 'input', code: 'context_length_exceeded', message: /maximum context length is 8191 tokens/ },
  },
  {
    name: 'a body over the limit (content-length)',
    send: () => chat({ messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES) }] }),
    expect: { status: 413, param: null, code: 'request_too_large' },
  },
  {
    name: 'a body over the limit (chunked, no content-length)',
    send: () => ({ body: chunkedBody(MAX_BODY_BYTES * 4) }),
    expect: { status: 413, param: null, code: 'request_too_large' },
  },
  { name: 'an unknown route', send: () => ({ method: 'GET', path: '/v1/nope' }), expect: { status: 404, param: null, code: null, message: /Invalid URL \(GET \/v1\/nope\)/ } },
  {
    name: 'a malformed percent-encoding in the path',
    send: () => ({ method: 'GET', path: '/v1/models/%E0%A4%A' }),
    expect: { status: 404, param: null, code: null, message: /Invalid URL/ },
  },
  { name: 'a near-miss route', send: () => ({ path: '/v1/chat/completion', body: GOOD_CHAT }), expect: { status: 404, param: null, code: null } },
  { name: 'GET on a POST route', send: () => ({ method: 'GET', path: '/v1/chat/completions' }), expect: { status: 405, param: null, code: null } },
  { name: 'DELETE on embeddings', send: () => ({ method: 'DELETE', path: '/v1/embeddings' }), expect: { status: 405, param: null, code: null } },
  { name: 'POST on the model list', send: () => ({ method: 'POST', path: '/v1/models', body: {} }), expect: { status: 405, param: null, code: null } },
];

test('bad input: OpenAI-shaped errors, no upstream call, no credit moved, server still serving', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const h = await startHarness({ env: { TOLLGATE_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  try {
    const acct = await h.account('1');
    for (const c of CASES) {
      await t.test(c.name, async () => {
        const sent = await c.send(acct, h);
        const before = await available(h, acct.accountId);
        const upstreamCalls = h.upstream.requests.length;
        const usageRows = (await usageOf(h, acct.accountId)).length;

        const res = await send(h, acct, sent);
        const text = await res.text();
        assert.equal(res.status, c.expect.status, text);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
        assert.match(res.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
        const body = JSON.parse(text) as { error: Record<string, unknown> };
        assert.deepEqual(Object.keys(body), ['error']);
        assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
        assert.equal(typeof body.error.message, 'string');
        assert.ok((body.error.message as string).length > 0);
        if (c.expect.message) assert.match(body.error.message as string, c.expect.message);
        assert.equal(body.error.type, c.expect.type ?? 'invalid_request_error');
        assert.equal(body.error.param, c.expect.param);
        assert.equal(body.error.code, c.expect.code);

        assert.equal(h.upstream.requests.length, upstreamCalls, 'a bad request reached the upstream');
        assert.equal((await usageOf(h, acct.accountId)).length, usageRows, 'a bad request left a usage record');
        await assertCharged(h, acct.accountId, before, 0n);

        const good = await send(h, acct, { body: GOOD_CHAT });
        const goodText = await good.text();
        assert.equal(good.status, 200, goodText);
        assert.equal((JSON.parse(goodText) as { object: string }).object, 'chat.completion');
      });
    }
  } finally {
    await h.close();
  }
});
