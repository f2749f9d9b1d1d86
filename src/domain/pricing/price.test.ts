import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PriceFormatError, picoPerTokenToUsdPerMillion, usdPerMillionToPicoPerToken, validatePrice } from './price.js';
import type { Price } from './price.js';

test('usdPerMillionToPicoPerToken converts exactly (1 USD per 1M = 10^6 pico per token)', () => {
  assert.equal(usdPerMillionToPicoPerToken('2.50'), 2_500_000n);
  assert.equal(usdPerMillionToPicoPerToken('2.5'), 2_500_000n);
  assert.equal(usdPerMillionToPicoPerToken('10'), 10_000_000n);
  assert.equal(usdPerMillionToPicoPerToken('0'), 0n);
  assert.equal(usdPerMillionToPicoPerToken('0.005'), 5_000n);
  assert.equal(usdPerMillionToPicoPerToken('0.000001'), 1n);
  assert.equal(usdPerMillionToPicoPerToken('150'), 150_000_000n);
  assert.equal(usdPerMillionToPicoPerToken('0.0250000'), 25_000n);
});

test('usdPerMillionToPicoPerToken refuses prices finer than a pico-credit per token, negatives and garbage', () => {
  assert.throws(() => usdPerMillionToPicoPerToken('0.0000001'), /finer than 1e-12 credit per token/);
  for (const bad of ['-1', '2.5e-6', '', 'abc', '1.', '$2', ' 2']) {
    assert.throws(() => usdPerMillionToPicoPerToken(bad), PriceFormatError, `should refuse ${JSON.stringify(bad)}`);
  }
});

test('picoPerTokenToUsdPerMillion is the exact inverse', () => {
  assert.equal(picoPerTokenToUsdPerMillion(2_500_000n), '2.5');
  assert.equal(picoPerTokenToUsdPerMillion(10_000_000n), '10');
  assert.equal(picoPerTokenToUsdPerMillion(5_000n), '0.005');
  assert.equal(picoPerTokenToUsdPerMillion(1n), '0.000001');
  assert.equal(picoPerTokenToUsdPerMillion(0n), '0');
  for (const text of ['0.02', '0.075', '1.25', '0.4', '600', '0.000001', '123456.789012']) {
    assert.equal(picoPerTokenToUsdPerMillion(usdPerMillionToPicoPerToken(text)), text);
  }
});

const good: Price = {
  model: 'gpt-4o', effectiveFrom: 0, inputPerToken: 2_500_000n, cachedInputPerToken: 1_250_000n,
  outputPerToken: 10_000_000n, maxOutputTokens: 16384, maxInputTokens: 128000, mode: 'chat',
};

test('validatePrice accepts a sound row and refuses each broken invariant', () => {
  validatePrice(good);
  validatePrice({ ...good, maxInputTokens: null, maxOutputTokens: null, outputPerToken: 0n, mode: 'embedding' });
  const broken: Array<[Partial<Price>, RegExp]> = [
    [{ model: '' }, /model id is empty/],
    [{ effectiveFrom: Number.NaN }, /effectiveFrom/],
    [{ effectiveFrom: 1.5 }, /effectiveFrom/],
    [{ inputPerToken: -1n }, /inputPerToken must be a non-negative bigint/],
    [{ outputPerToken: -1n }, /outputPerToken/],
    [{ cachedInputPerToken: -1n }, /cachedInputPerToken must be/],
    [{ cachedInputPerToken: 2_500_001n }, /cachedInputPerToken exceeds inputPerToken/],
    [{ maxOutputTokens: 0 }, /maxOutputTokens/],
    [{ maxInputTokens: -5 }, /maxInputTokens/],
    [{ maxInputTokens: 1.5 }, /maxInputTokens/],
    [{ mode: 'image' as Price['mode'] }, /unknown mode/],
  ];
  for (const [patch, message] of broken) {
    assert.throws(() => validatePrice({ ...good, ...patch }), (e: unknown) => e instanceof PriceFormatError && message.test(e.message),
      `should refuse ${JSON.stringify(patch, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  }
});
