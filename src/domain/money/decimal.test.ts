import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalError, decimalToScaledBigint, numberToDecimalString, scaledBigintToDecimal } from './decimal.js';

test('decimalToScaledBigint converts plain decimals exactly', () => {
  assert.equal(decimalToScaledBigint('0', 12), 0n);
  assert.equal(decimalToScaledBigint('5', 12), 5_000_000_000_000n);
  assert.equal(decimalToScaledBigint('12.5', 12), 12_500_000_000_000n);
  assert.equal(decimalToScaledBigint('0.000000000001', 12), 1n);
  assert.equal(decimalToScaledBigint('.5', 2), 50n);
  assert.equal(decimalToScaledBigint('007.10', 2), 710n);
  assert.equal(decimalToScaledBigint('-0.25', 2), -25n);
  assert.equal(decimalToScaledBigint('-0', 2), 0n);
  assert.equal(decimalToScaledBigint('42', 0), 42n);
  assert.equal(decimalToScaledBigint('123456789012345678901234567890', 12), 123456789012345678901234567890n * 10n ** 12n);
});

test('decimalToScaledBigint accepts exponent forms as LiteLLM writes them', () => {
  assert.equal(decimalToScaledBigint('2.5e-06', 12), 2_500_000n);
  assert.equal(decimalToScaledBigint('2.5E-6', 12), 2_500_000n);
  assert.equal(decimalToScaledBigint('1e-05', 12), 10_000_000n);
  assert.equal(decimalToScaledBigint('5e-09', 12), 5_000n);
  assert.equal(decimalToScaledBigint('1e-12', 12), 1n);
  assert.equal(decimalToScaledBigint('1.25e+2', 0), 125n);
  assert.equal(decimalToScaledBigint('1.25e2', 1), 1250n);
  assert.equal(decimalToScaledBigint('0e999999999999', 12), 0n);
  assert.equal(decimalToScaledBigint('-3e-7', 12), -300_000n);
});

test('decimalToScaledBigint accepts trailing zeros below the scale but refuses any lost digit', () => {
  assert.equal(decimalToScaledBigint('1.500000000000000', 12), 1_500_000_000_000n);
  assert.equal(decimalToScaledBigint('1000e-3', 0), 1n);
  assert.throws(() => decimalToScaledBigint('0.0000000000001', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('1e-13', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('1.0000000000001', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('0.5', 0), DecimalError);
  assert.throws(() => decimalToScaledBigint('1234e-3', 2), DecimalError);
});

test('decimalToScaledBigint refuses malformed text with a DecimalError', () => {
  for (const bad of ['', ' 1', '1 ', '1.', '.', '-', '+1', '1..2', '1,5', 'abc', '0x10', 'Infinity', 'NaN', '1e', 'e5', '1e+', '--1', '1_000']) {
    assert.throws(() => decimalToScaledBigint(bad, 12), DecimalError, `should refuse ${JSON.stringify(bad)}`);
  }
});

test('decimalToScaledBigint bounds huge exponents and over-long text instead of allocating', () => {
  assert.throws(() => decimalToScaledBigint('1e999999', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('1e99999999999999999999', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('1'.repeat(1001), 0), DecimalError);
  assert.throws(() => decimalToScaledBigint('1e-999999', 12), DecimalError);
  assert.throws(() => decimalToScaledBigint('1', -1), RangeError);
  assert.throws(() => decimalToScaledBigint('1', 1.5), RangeError);
});

test('scaledBigintToDecimal writes exact decimals without trailing zeros', () => {
  assert.equal(scaledBigintToDecimal(0n, 12), '0');
  assert.equal(scaledBigintToDecimal(1n, 12), '0.000000000001');
  assert.equal(scaledBigintToDecimal(12_500_000_000_000n, 12), '12.5');
  assert.equal(scaledBigintToDecimal(-500_000_000_000n, 12), '-0.5');
  assert.equal(scaledBigintToDecimal(-1n, 12), '-0.000000000001');
  assert.equal(scaledBigintToDecimal(10_000_000_000_000n, 12), '10');
  assert.equal(scaledBigintToDecimal(2_500_000n, 6), '2.5');
  assert.equal(scaledBigintToDecimal(123n, 0), '123');
  assert.equal(scaledBigintToDecimal(2n ** 64n, 12), '18446744.073709551616');
});

test('scaledBigintToDecimal and decimalToScaledBigint are inverses', () => {
  for (const v of [0n, 1n, -1n, 9n, 10n, 999_999_999_999n, 1_000_000_000_000n, -123_456_789_012_345n, 2n ** 70n]) {
    assert.equal(decimalToScaledBigint(scaledBigintToDecimal(v, 12), 12), v);
  }
});

test('numberToDecimalString gives the shortest round-trip decimal without exponent', () => {
  assert.equal(numberToDecimalString(2.5e-6), '0.0000025');
  assert.equal(numberToDecimalString(0.0000025), '0.0000025');
  assert.equal(numberToDecimalString(1e-7), '0.0000001');
  assert.equal(numberToDecimalString(1.25e-7), '0.000000125');
  assert.equal(numberToDecimalString(5e-9), '0.000000005');
  assert.equal(numberToDecimalString(-3e-7), '-0.0000003');
  assert.equal(numberToDecimalString(0.1), '0.1');
  assert.equal(numberToDecimalString(0.1 + 0.2), '0.30000000000000004');
  assert.equal(numberToDecimalString(123.456), '123.456');
  assert.equal(numberToDecimalString(0), '0');
  assert.equal(numberToDecimalString(-0), '0');
  assert.equal(numberToDecimalString(42), '42');
  assert.equal(numberToDecimalString(1e21), '1000000000000000000000');
  assert.equal(numberToDecimalString(1.5e22), '15000000000000000000000');
  assert.equal(numberToDecimalString(5e-324), `0.${'0'.repeat(323)}5`);
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => numberToDecimalString(bad), RangeError);
  }
});

test('numberToDecimalString output parses back to the same number', () => {
  for (const n of [2.5e-6, 1.1e-6, 4.4e-6, 3.75e-7, 2.75e-7, 1e-12, 7e-22, 123456.789, 9.87654321e25, -1.5e-9]) {
    assert.equal(Number(numberToDecimalString(n)), n);
    assert.doesNotMatch(numberToDecimalString(n), /e/i);
  }
});
