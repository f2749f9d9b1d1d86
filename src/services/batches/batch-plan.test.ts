import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPromptTokens } from '../../domain/metering/prompt-tokens.js';
import { builtinPrices } from '../../domain/pricing/catalog.js';
import { ApiError } from '../../http/errors.js';
import type { Store } from '../../store/store.js';
import { Prices } from '../prices.js';
import { planBatch } from './batch-plan.js';

async function prices(): Promise<Prices> {
  const p = new Prices({ listPrices: async () => builtinPrices() } as unknown as Store);
  await p.reload();
  return p;
}

const chat = (id: string, body: Record<string, unknown>) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body });
const file = (...lines: string[]) => Buffer.from(lines.join('\n') + '\n');

function badRequest(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ApiError && err.status === 400 && pattern.test(err.message));
}

test('sums every line planned like the hot path, at half the standard price', async () => {
  const p = await prices();
  const a = { model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Hello there' }] };
  const b = { model: 'gpt-4o-mini', max_completion_tokens: 7, n: 2, messages: [{ role: 'user', content: 'Another prompt, longer.' }] };
  const plan = planBatch('/v1/chat/completions', file(chat('a', a), '', chat('b', b)), p, Date.now(), 16_384);
  const tokens = countPromptTokens('chat.completions', 'gpt-4o-mini', a) + countPromptTokens('chat.completions', 'gpt-4o-mini', b);
  assert.equal(plan.lines, 2);
  assert.equal(plan.promptTokens, tokens);
  assert.equal(plan.maxOutputTokens, 50 + 14);
  assert.equal(plan.hold, BigInt(tokens) * 75_000n + 64n * 300_000n);
});

test('a line without an output cap holds the model maximum', async () => {
  const p = await prices();
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
  const plan = planBatch('/v1/chat/completions', file(chat('a', body)), p, Date.now(), 16_384);
  assert.equal(plan.maxOutputTokens, p.lookup('gpt-4o-mini', Date.now())?.maxOutputTokens);
});

test('refuses bad lines with their line number, unpriced models, mixed models and other endpoints', async () => {
  const p = await prices();
  const ok = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
  badRequest(() => planBatch('/v1/chat/completions', file('{nope'), p, 0, 100), /line 1: it is not valid JSON/);
  badRequest(() => planBatch('/v1/chat/completions', file(chat('a', ok), chat('b', { ...ok, model: 'nobody-prices-this' })), p, Date.now(), 100), /line 2: .*nobody-prices-this/);
  badRequest(() => planBatch('/v1/chat/completions', file(chat('a', ok), chat('b', { ...ok, model: 'gpt-4o' })), p, Date.now(), 100), /line 2: .*one model/);
  badRequest(() => planBatch('/v1/chat/completions', file(chat('a', ok), chat('a', ok)), p, Date.now(), 100), /line 2: .*used twice/);
  badRequest(() => planBatch('/v1/chat/completions', file(chat('a', { ...ok, messages: [] })), p, Date.now(), 100), /line 1: .*empty array/);
  badRequest(() => planBatch('/v1/chat/completions', file(chat('a', { ...ok, stream: true })), p, Date.now(), 100), /cannot be streamed/);
  badRequest(() => planBatch('/v1/embeddings', file(chat('a', ok)), p, Date.now(), 100), /line 1: its url/);
  badRequest(() => planBatch('/v1/images/generations', file(chat('a', ok)), p, Date.now(), 100), /endpoint/);
  badRequest(() => planBatch('/v1/chat/completions', file(''), p, Date.now(), 100), /no requests/);
});
