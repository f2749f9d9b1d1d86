import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MoneyFormatError, PICO_PER_CREDIT, formatCredits, parseCredits } from './pico.js';

test('PICO_PER_CREDIT is 10^12', () => {
  assert.equal(PICO_PER_CREDIT, 10n ** 12n);
});

test('parseCredits reads plain non-negative decimals exactly', () => {
  assert.equal(parseCredits('12.5'), 12_500_000_000_000n);
  assert.equal(parseCredits('5'), 5n * PICO_PER_CREDIT);
  assert.equal(parseCredits('0'), 0n);
  assert.equal(parseCredits('0.000001'), 1_000_000n);
  assert.equal(parseCredits('0.000000000001'), 1n);
  assert.equal(parseCredits('.5'), 500_000_000_000n);
  assert.equal(parseCredits(' 7.25\n'), 7_250_000_000_000n);
  assert.equal(parseCredits('9223372.036854775807'), 2n ** 63n - 1n);
  assert.equal(parseCredits('100000000000000000000'), 10n ** 32n);
});

test('parseCredits accepts zeros past the 12th decimal because the value stays exact', () => {
  assert.equal(parseCredits('1.5000000000000'), 1_500_000_000_000n);
});

test('parseCredits refuses negatives, exponents, sub-pico precision and garbage', () => {
  const bad = ['-1', '-0', '+1', '1e-6', '1E3', '0.0000000000001', '1.0000000000005', '', '   ', 'abc', '1.', '1,5',
    '1 000', '0x10', 'NaN', 'Infinity', '$5', '5 credits'];
  for (const text of bad) {
    assert.throws(() => parseCredits(text), MoneyFormatError, `should refuse ${JSON.stringify(text)}`);
  }
});

test('parseCredits error messages name the input', () => {
  assert.throws(() => parseCredits('abc'), /invalid credit amount "abc"/);
  assert.throws(() => parseCredits('0.0000000000001'), /more precise than 1e-12 credit/);
});

test('formatCredits writes exact decimals without trailing zeros', () => {
  assert.equal(formatCredits(12_500_000_000_000n), '12.5');
  assert.equal(formatCredits(0n), '0');
  assert.equal(formatCredits(-500_000_000_000n), '-0.5');
  assert.equal(formatCredits(1n), '0.000000000001');
  assert.equal(formatCredits(5n * PICO_PER_CREDIT), '5');
  assert.equal(formatCredits(2_750_000_000n), '0.00275');
});

test('formatCredits and parseCredits round-trip', () => {
  for (const v of [0n, 1n, 999n, 1_000_000n, 12_345_678_901_234_567n, 2n ** 63n - 1n, 10n ** 30n + 7n]) {
    assert.equal(parseCredits(formatCredits(v)), v);
  }
});
