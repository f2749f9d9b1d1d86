// Running out of credits, as a real SDK client sees it: a 429 insufficient_quota the SDK does not retry, and no
// upstream call for the refused request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitError } from 'openai';
import { assertCharged, available, expectedCharge, usageOf } from '../support/billing-checks.js';
import { startHarness, type Harness } from '../support/harness.js';

/** A hang fails the test instead of stalling the run. */
const TEST_TIMEOUT_MS = 30_000;

const QUOTA_MESSAGE = 'You exceeded your current quota, please check your plan and billing details.';

async function refusal(promise: Promise<unknown>): Promise<RateLimitError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RateLimitError, `expected RateLimitError, got ${String(err)}`);
  return err;
}

function assertQuotaError(err: RateLimitError): void {
  assert.equal(err.status, 429);
  assert.equal(err.code, 'insufficient_quota');
  assert.equal(err.type, 'insufficient_quota');
  assert.equal(err.param, null);
  assert.ok(err.message.includes(QUOTA_MESSAGE), err.message);
  assert.equal(err.headers.get('x-should-retry'), 'false');
  assert.ok(err.requestID?.startsWith('req_'), 'x-request-id on the refusal');
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

test('spent down: the next request is refused with insufficient_quota, never retried, never sent upstream', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h) => {
    const acct = await h.account('0.001');
    const client = h.client(acct.key, { maxRetries: 3 });
    const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Write a long story' }], max_tokens: 1000 };

    // The first call fits its hold (~0.0006 credits) and uses the whole output cap.
    h.upstream.script({ kind: 'ok', usage: { completionTokens: 1000 } });
    const start = await available(h, acct.accountId);
    const first = await client.chat.completions.create(ask);
    const spent = expectedCharge(h, 'gpt-4o-mini', { input: first.usage!.prompt_tokens, output: 1000 });
    await assertCharged(h, acct.accountId, start, spent);
    assert.equal(h.upstream.requests.length, 1);

    // What is left (~0.0004) no longer covers the same request's hold.
    const before = await available(h, acct.accountId);
    const err = await refusal(client.chat.completions.create(ask));
    assertQuotaError(err);
    assert.equal(h.upstream.requests.length, 1, 'the refused request (or a retry of it) reached the upstream');

    const rows = await usageOf(h, acct.accountId);
    assert.deepEqual(rows.map((r) => r.status), ['ok', 'insufficient_quota'], 'the gateway saw exactly one refused request: no retries');
    assert.equal(rows[1]!.requestId, err.requestID);
    assert.deepEqual([rows[1]!.httpStatus, rows[1]!.cost, rows[1]!.inputTokens, rows[1]!.outputTokens], [429, 0n, 0, 0]);
    await assertCharged(h, acct.accountId, before, 0n);
  });
});

test('an account with no credit is refused on every endpoint, streamed or not, with no upstream call', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h) => {
    const acct = await h.account('0');
    const client = h.client(acct.key, { maxRetries: 3 });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['chat', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })],
      ['chat stream', () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })],
      ['responses stream', () => client.responses.create({ model: 'gpt-4.1-mini', input: 'hi', stream: true })],
      ['embeddings', () => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })],
      ['completions', () => client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' })],
    ];
    for (const [name, call] of calls) {
      const err = await refusal(call());
      assert.doesNotThrow(() => assertQuotaError(err), name);
    }
    assert.equal(h.upstream.requests.length, 0, 'a refused request reached the upstream');
    const rows = await usageOf(h, acct.accountId);
    assert.equal(rows.length, calls.length, 'one request per call: the SDK retried nothing');
    assert.ok(rows.every((r) => r.status === 'insufficient_quota' && r.cost === 0n));
    await assertCharged(h, acct.accountId, 0n, 0n);
  });
});

test('a request whose hold exceeds the balance is refused even though its actual cost would fit', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h) => {
    // gpt-5 with no output cap holds its 128k-token maximum output (1.28 credits) and cannot run on 1 credit…
    const acct = await h.account('1');
    const client = h.client(acct.key, { maxRetries: 3 });
    assertQuotaError(await refusal(client.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] })));
    assert.equal(h.upstream.requests.length, 0);
    // …while the same request with an output cap it can afford goes through.
    const before = await available(h, acct.accountId);
    const ok = await client.chat.completions.create({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 1000 });
    const u = ok.usage!;
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-5', { input: u.prompt_tokens, output: u.completion_tokens }));
    assert.equal(h.upstream.requests.length, 1);
  });
});

test('racing requests: holds are atomic, so only what the balance covers goes upstream and it never goes negative', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h) => {
    // 0.001 credits covers one hold of ~0.0006 (1000 output tokens of gpt-4o-mini) at a time.
    const acct = await h.account('0.001');
    const client = h.client(acct.key, { maxRetries: 3 });
    // The upstream answers slowly, so the first hold is still open when the other five arrive, even on a loaded machine
    // (at 200 ms, a busy CI box sometimes settled the first call before the last request was held).
    h.upstream.script({ kind: 'ok', delayMs: 3_000 });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'race' }], max_tokens: 1000 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, ask));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(ok.length, 1, 'exactly one request fits the balance');
    for (const r of refused) assertQuotaError(r.reason as RateLimitError);
    assert.equal(h.upstream.requests.length, 1);

    const u = ok[0]!.value.usage!;
    await assertCharged(h, acct.accountId, 1_000_000_000n, expectedCharge(h, 'gpt-4o-mini', { input: u.prompt_tokens, output: u.completion_tokens }));
    const rows = await usageOf(h, acct.accountId);
    assert.deepEqual(rows.map((r) => r.status).sort(), ['insufficient_quota', 'insufficient_quota', 'insufficient_quota', 'insufficient_quota', 'insufficient_quota', 'ok']);
    // The settled call released the rest of its hold: the next request fits again.
    await ask();
    assert.equal(h.upstream.requests.length, 2);
  });
});
