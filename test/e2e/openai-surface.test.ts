// The OpenAI surface through the official `openai` SDK: every endpoint, plain and streamed, is charged exactly the
// usage the upstream reported x the model's price, with the gateway's own request id and the upstream key only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from 'openai';
import { formatCredits } from '../../src/domain/money/pico.js';
import { listModels, REASONING_TOKENS } from '../../src/simulator/index.js';
import type { UsageRecord } from '../../src/store/records.js';
import {
  assertCharged, assertUpstreamSawOnlyItsKey, available, expectedCharge, usageOf,
} from '../support/billing-checks.js';
import { startHarness, type FundedAccount, type Harness } from '../support/harness.js';

/** A hang fails the test instead of stalling the run. */
const TEST_TIMEOUT_MS = 30_000;

async function withHarness(fn: (h: Harness, acct: FundedAccount) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h, await h.account('1'));
  } finally {
    await h.close();
  }
}

/** The single usage record the account has; its request id must be the one the client was given. */
async function onlyUsage(h: Harness, accountId: string, requestId: string | null): Promise<UsageRecord> {
  const rows = await usageOf(h, accountId);
  assert.equal(rows.length, 1, 'one usage record per request');
  const row = rows[0]!;
  assert.ok(requestId?.startsWith('req_'), `x-request-id missing or malformed: ${requestId}`);
  assert.equal(row.requestId, requestId, 'x-request-id is the gateway request id the usage record carries');
  return row;
}

function upstreamBody(h: Harness, i = -1): Record<string, unknown> {
  const r = h.upstream.requests.at(i);
  assert.ok(r, 'no upstream request');
  return r.body as Record<string, unknown>;
}

test('chat: plain call with cached prompt tokens is charged (prompt − cached) x input + cached x cached + output x output', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', usage: { promptTokens: 1800, cachedTokens: 1280, completionTokens: 40 } });
    const before = await available(h, acct.accountId);
    const { data, response, request_id: sdkRequestId } = await h.client(acct.key).chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me about tolls' }] })
      .withResponse();
    const u = data.usage!;
    assert.deepEqual([u.prompt_tokens, u.prompt_tokens_details?.cached_tokens, u.completion_tokens], [1800, 1280, 40]);
    assert.ok(data.choices[0]!.message.content!.length > 0);
    // gpt-4o: 2.5 / 1.25 / 10 USD per 1M -> 520 x 2.5e6 + 1280 x 1.25e6 + 40 x 1e7 pico
    const charge = expectedCharge(h, 'gpt-4o', { input: 1800, cached: 1280, output: 40 });
    assert.equal(charge, 520n * 2_500_000n + 1280n * 1_250_000n + 40n * 10_000_000n);
    await assertCharged(h, acct.accountId, before, charge);
    assert.equal(response.headers.get('x-tollgate-cost'), formatCredits(charge));
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.equal(sdkRequestId, row.requestId, 'the SDK reports the same request id');
    assert.deepEqual([row.status, row.inputTokens, row.cachedInputTokens, row.outputTokens, row.cost], ['ok', 1800, 1280, 40, charge]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('chat: a stream without include_usage shows the client no usage at all, yet is charged the upstream usage', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', usage: { promptTokens: 1300, cachedTokens: 1152, completionTokens: 48 } });
    const before = await available(h, acct.accountId);
    const { data: stream, response } = await h.client(acct.key).chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me something' }], stream: true })
      .withResponse();
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      chunks += 1;
      assert.ok(!Object.hasOwn(chunk, 'usage'), `chunk ${chunks} carries a usage key: ${JSON.stringify(chunk)}`);
      assert.equal(chunk.choices.length, 1, 'a usage-only chunk (choices: []) reached the client');
      text += chunk.choices[0]!.delta.content ?? '';
      finish = chunk.choices[0]!.finish_reason ?? finish;
    }
    assert.ok(chunks > 3 && text.length > 0);
    assert.equal(finish, 'stop');
    // The gateway asked the upstream for usage on the client's behalf.
    assert.deepEqual(upstreamBody(h)['stream_options'], { include_usage: true });
    const charge = expectedCharge(h, 'gpt-4o-mini', { input: 1300, cached: 1152, output: 48 });
    await assertCharged(h, acct.accountId, before, charge);
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.deepEqual([row.status, row.stream, row.aborted, row.cost], ['ok', true, false, charge]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('chat: a stream with include_usage: false is metered the same way and still shows no usage', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', usage: { promptTokens: 30, completionTokens: 48 } });
    const before = await available(h, acct.accountId);
    const stream = await h.client(acct.key).chat.completions.create({
      model: 'gpt-4.1', messages: [{ role: 'user', content: 'Two answers please' }], stream: true, n: 2,
      stream_options: { include_usage: false },
    });
    const choices = new Set<number>();
    for await (const chunk of stream) {
      assert.ok(!Object.hasOwn(chunk, 'usage'), `a chunk carries a usage key: ${JSON.stringify(chunk)}`);
      assert.equal(chunk.choices.length, 1);
      choices.add(chunk.choices[0]!.index);
    }
    assert.deepEqual([...choices].sort(), [0, 1]);
    assert.deepEqual(upstreamBody(h)['stream_options'], { include_usage: true });
    await assertCharged(h, acct.accountId, before, expectedCharge(h, 'gpt-4.1', { input: 30, output: 48 }));
  });
});

test('chat: a stream with include_usage (reasoning model) shows the usage chunk, and that is the charge', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const before = await available(h, acct.accountId);
    const { data: stream, response } = await h.client(acct.key).chat.completions
      .create({
        model: 'o3', messages: [{ role: 'user', content: 'Think, then answer' }], stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    const usages = [];
    let nullUsageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usages.push(chunk.usage);
      else if (chunk.usage === null) nullUsageChunks += 1;
    }
    assert.equal(usages.length, 1, 'exactly one usage chunk');
    assert.ok(nullUsageChunks > 0, 'OpenAI sends "usage": null on the other chunks when the client asked for usage');
    const u = usages[0]!;
    assert.equal(u.completion_tokens_details?.reasoning_tokens, REASONING_TOKENS);
    assert.ok(u.completion_tokens > REASONING_TOKENS, 'output tokens include the reasoning tokens');
    assert.deepEqual(upstreamBody(h)['stream_options'], { include_usage: true });
    const charge = expectedCharge(h, 'o3', {
      input: u.prompt_tokens, cached: u.prompt_tokens_details?.cached_tokens ?? 0, output: u.completion_tokens,
    });
    await assertCharged(h, acct.accountId, before, charge);
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.deepEqual([row.status, row.reasoningTokens, row.outputTokens], ['ok', REASONING_TOKENS, u.completion_tokens]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('responses: a plain call (gpt-5) is charged for cached input and reasoning output', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    h.upstream.script({ kind: 'ok', usage: { promptTokens: 2100, cachedTokens: 2048, completionTokens: 300, reasoningTokens: 256 } });
    const before = await available(h, acct.accountId);
    const { data, response } = await h.client(acct.key).responses
      .create({ model: 'gpt-5', input: 'Summarise the toll road network', max_output_tokens: 2000 })
      .withResponse();
    const u = data.usage!;
    assert.deepEqual(
      [u.input_tokens, u.input_tokens_details.cached_tokens, u.output_tokens, u.output_tokens_details.reasoning_tokens],
      [2100, 2048, 300, 256],
    );
    assert.ok(data.output_text.length > 0);
    // gpt-5: 1.25 / 0.125 / 10 USD per 1M
    const charge = expectedCharge(h, 'gpt-5', { input: 2100, cached: 2048, output: 300 });
    assert.equal(charge, 52n * 1_250_000n + 2048n * 125_000n + 300n * 10_000_000n);
    await assertCharged(h, acct.accountId, before, charge);
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.deepEqual([row.endpoint, row.cachedInputTokens, row.reasoningTokens, row.cost], ['responses', 2048, 256, charge]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('responses: a stream is charged the usage of its response.completed event', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const before = await available(h, acct.accountId);
    const { data: stream, response } = await h.client(acct.key).responses
      .create({ model: 'o4-mini', input: 'Stream a short answer', stream: true })
      .withResponse();
    let deltas = '';
    let completed;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    assert.ok(completed?.usage, 'the stream ended with response.completed carrying usage');
    const message = completed.output.find((item) => item.type === 'message');
    const finalText = message?.type === 'message'
      ? message.content.map((part) => (part.type === 'output_text' ? part.text : '')).join('')
      : undefined;
    assert.equal(deltas, finalText, 'the client received every text delta');
    const u = completed.usage;
    assert.equal(u.output_tokens_details.reasoning_tokens, REASONING_TOKENS);
    const charge = expectedCharge(h, 'o4-mini', {
      input: u.input_tokens, cached: u.input_tokens_details.cached_tokens, output: u.output_tokens,
    });
    await assertCharged(h, acct.accountId, before, charge);
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.deepEqual([row.status, row.stream, row.outputTokens], ['ok', true, u.output_tokens]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('embeddings: charged prompt tokens x input price only', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const before = await available(h, acct.accountId);
    const { data, response } = await h.client(acct.key).embeddings
      .create({ model: 'text-embedding-3-small', input: ['first text to embed', 'and a second one'] })
      .withResponse();
    assert.equal(data.data.length, 2);
    assert.ok(data.data[0]!.embedding.length > 0);
    const tokens = data.usage.prompt_tokens;
    assert.ok(tokens > 0);
    const charge = expectedCharge(h, 'text-embedding-3-small', { input: tokens, output: 0 });
    assert.equal(charge, BigInt(tokens) * 20_000n);
    await assertCharged(h, acct.accountId, before, charge);
    const row = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.deepEqual([row.endpoint, row.inputTokens, row.outputTokens], ['embeddings', tokens, 0]);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('completions (legacy): plain, then streamed without include_usage, each charged its upstream usage', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const client = h.client(acct.key);
    let before = await available(h, acct.accountId);
    const { data, response } = await client.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', max_tokens: 30 })
      .withResponse();
    const u = data.usage!;
    assert.equal(u.completion_tokens, 30, 'the simulator honours max_tokens');
    let charge = expectedCharge(h, 'gpt-3.5-turbo-instruct', { input: u.prompt_tokens, output: u.completion_tokens });
    await assertCharged(h, acct.accountId, before, charge);
    const first = await onlyUsage(h, acct.accountId, response.headers.get('x-request-id'));
    assert.equal(first.endpoint, 'completions');

    h.upstream.script({ kind: 'ok', usage: { promptTokens: 5, completionTokens: 16 } });
    before = await available(h, acct.accountId);
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', stream: true });
    let text = '';
    for await (const chunk of stream) {
      assert.ok(!Object.hasOwn(chunk, 'usage'), `a chunk carries a usage key: ${JSON.stringify(chunk)}`);
      assert.ok(chunk.choices.length > 0, 'a usage-only chunk reached the client');
      text += chunk.choices[0]!.text;
    }
    assert.ok(text.length > 0);
    assert.deepEqual(upstreamBody(h)['stream_options'], { include_usage: true });
    charge = expectedCharge(h, 'gpt-3.5-turbo-instruct', { input: 5, output: 16 });
    await assertCharged(h, acct.accountId, before, charge);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});

test('models: list and retrieve are free, and a model without a price is not found without asking upstream', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHarness(async (h, acct) => {
    const client = h.client(acct.key);
    const before = await available(h, acct.accountId);
    const listed = [];
    for await (const m of client.models.list()) listed.push(m.id);
    const servable = listModels().map((m) => m.id).filter((id) => h.gateway.deps.prices.lookup(id, Date.now()));
    assert.deepEqual(listed.sort(), servable.sort());
    assert.ok(listed.includes('gpt-4o'));

    const { data: model, response } = await client.models.retrieve('gpt-4o').withResponse();
    assert.deepEqual([model.id, model.object], ['gpt-4o', 'model']);
    assert.ok(response.headers.get('x-request-id')?.startsWith('req_'));

    const upstreamCalls = h.upstream.requests.length;
    const err = await client.models.retrieve('acme-unpriced-1').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof NotFoundError, `expected NotFoundError, got ${String(err)}`);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'model_not_found');
    assert.ok(err.requestID?.startsWith('req_'));
    assert.equal(h.upstream.requests.length, upstreamCalls, 'an unpriced model was looked up upstream');

    await assertCharged(h, acct.accountId, before, 0n);
    assert.deepEqual(await usageOf(h, acct.accountId), []);
    assertUpstreamSawOnlyItsKey(h, acct.key);
  });
});
