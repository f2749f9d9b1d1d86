import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchPrice, halfPico } from './batch-price.js';
import { costOf } from './cost.js';
import { validatePrice, type Price } from './price.js';

const gpt4oMini: Price = {
  model: 'gpt-4o-mini', effectiveFrom: 0, inputPerToken: 150_000n, cachedInputPerToken: 75_000n, outputPerToken: 600_000n,
  maxOutputTokens: 16_384, maxInputTokens: 128_000, mode: 'chat',
};

test('halfPico halves exactly, and rounds an odd pico up', () => {
  assert.equal(halfPico(2_500_000n), 1_250_000n);
  assert.equal(halfPico(0n), 0n);
  assert.equal(halfPico(1n), 1n);
  assert.equal(halfPico(3n), 2n);
});

test('batchPrice halves every component and stays a valid price row', () => {
  const b = batchPrice(gpt4oMini);
  assert.deepEqual([b.inputPerToken, b.cachedInputPerToken, b.outputPerToken], [75_000n, 37_500n, 300_000n]);
  assert.equal(b.maxOutputTokens, 16_384);
  validatePrice(b);
  const usage = { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 50, reasoningTokens: 0 };
  assert.equal(costOf(usage, b) * 2n, costOf(usage, gpt4oMini));
});

test('an odd cached price never ends above the halved input price', () => {
  const b = batchPrice({ ...gpt4oMini, inputPerToken: 3n, cachedInputPerToken: 3n });
  assert.ok(b.cachedInputPerToken <= b.inputPerToken);
  validatePrice(b);
});
