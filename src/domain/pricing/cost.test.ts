import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf, holdAmount } from './cost.js';
import type { TokenUsage } from './cost.js';
import type { Price } from './price.js';

const gpt4o: Price = {
  model: 'gpt-4o', effectiveFrom: 0, inputPerToken: 2_500_000n, cachedInputPerToken: 1_250_000n,
  outputPerToken: 10_000_000n, maxOutputTokens: 16384, maxInputTokens: 128000, mode: 'chat',
};
const o3: Price = {
  model: 'o3', effectiveFrom: 0, inputPerToken: 2_000_000n, cachedInputPerToken: 500_000n,
  outputPerToken: 8_000_000n, maxOutputTokens: 100000, maxInputTokens: 200000, mode: 'chat',
};
const embedding: Price = {
  model: 'text-embedding-3-small', effectiveFrom: 0, inputPerToken: 20_000n, cachedInputPerToken: 20_000n,
  outputPerToken: 0n, maxOutputTokens: null, maxInputTokens: 8191, mode: 'embedding',
};

function usage(inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens = 0): TokenUsage {
  return { inputTokens, cachedInputTokens, outputTokens, reasoningTokens };
}

test('costOf prices uncached input, cached input and output separately', () => {
  // 800 × 2.5e6 + 200 × 1.25e6 + 50 × 1e7
  assert.equal(costOf(usage(1000, 200, 50), gpt4o), 2_750_000_000n);
  assert.equal(costOf(usage(1000, 0, 50), gpt4o), 3_000_000_000n);
  assert.equal(costOf(usage(1000, 1000, 0), gpt4o), 1_250_000_000n);
  assert.equal(costOf(usage(0, 0, 0), gpt4o), 0n);
});

test('costOf bills reasoning tokens once, as part of output', () => {
  // 300 output of which 250 reasoning: 100 × 2e6 + 300 × 8e6
  assert.equal(costOf(usage(100, 0, 300, 250), o3), 2_600_000_000n);
  assert.equal(costOf(usage(100, 0, 300, 0), o3), costOf(usage(100, 0, 300, 250), o3));
});

test('costOf clamps cached tokens to [0, input]', () => {
  assert.equal(costOf(usage(100, 500, 0), gpt4o), 100n * 1_250_000n);
  assert.equal(costOf(usage(100, -20, 0), gpt4o), 100n * 2_500_000n);
});

test('costOf prices embeddings by input only', () => {
  assert.equal(costOf(usage(8191, 0, 0), embedding), 8191n * 20_000n);
  assert.equal(costOf(usage(10, 0, 5), embedding), 200_000n);
});

test('costOf is exact far beyond 2^53 pico-credits', () => {
  const big = 9_000_000_000_000; // tokens; safe integer, product is not
  const cost = costOf(usage(big, 0, big), gpt4o);
  assert.equal(cost, BigInt(big) * 12_500_000n);
  assert.ok(cost > BigInt(Number.MAX_SAFE_INTEGER));
});

test('costOf refuses negative or non-integer counts', () => {
  for (const bad of [usage(-1, 0, 0), usage(1.5, 0, 0), usage(10, 0, -3), usage(10, 0, Number.NaN), usage(10, 0.5, 0),
    usage(Number.POSITIVE_INFINITY, 0, 0), usage(2 ** 53, 0, 0)]) {
    assert.throws(() => costOf(bad, gpt4o), RangeError);
  }
});

test('costOf and holdAmount refuse a price with a negative component', () => {
  const negative: Price = { ...gpt4o, outputPerToken: -1n };
  assert.throws(() => costOf(usage(10, 0, 10), negative), RangeError);
  assert.throws(() => holdAmount(10, 10, negative), RangeError);
});

test('holdAmount is prompt × input + output cap × output', () => {
  assert.equal(holdAmount(1000, 16384, gpt4o), 1000n * 2_500_000n + 16384n * 10_000_000n);
  assert.equal(holdAmount(0, 0, gpt4o), 0n);
  assert.equal(holdAmount(500, 100, embedding), 500n * 20_000n);
  assert.throws(() => holdAmount(-1, 10, gpt4o), RangeError);
  assert.throws(() => holdAmount(10, 1.5, gpt4o), RangeError);
});

test('a completed call never costs more than its hold when usage stays within the counted prompt and cap', () => {
  for (const price of [gpt4o, o3, embedding]) {
    for (const [prompt, cap] of [[1, 1], [1000, 50], [12345, 4096]] as const) {
      for (let cached = 0; cached <= prompt; cached += Math.max(1, Math.floor(prompt / 7))) {
        for (const output of [0, Math.floor(cap / 2), cap]) {
          assert.ok(costOf(usage(prompt, cached, output), price) <= holdAmount(prompt, cap, price));
        }
      }
    }
  }
});
