import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from './duration.js';

test('formatDuration writes durations as OpenAI does (Go duration form, millisecond precision)', () => {
  const cases: [number, string][] = [
    [0, '0s'], [-5, '0s'], [1, '1ms'], [12, '12ms'], [20, '20ms'], [644, '644ms'], [999, '999ms'],
    [1000, '1s'], [1500, '1.5s'], [8640, '8.64s'], [9816, '9.816s'], [20_000, '20s'], [59_999, '59.999s'],
    [60_000, '1m0s'], [86_400, '1m26.4s'], [360_000, '6m0s'], [3_600_000, '1h0m0s'], [3_723_000, '1h2m3s'],
    [43_200_000, '12h0m0s'], [86_400_000, '24h0m0s'], [90_061_001, '25h1m1.001s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, `${ms} ms`);
});

test('formatDuration rounds a fraction of a millisecond up, never down', () => {
  assert.equal(formatDuration(0.2), '1ms');
  assert.equal(formatDuration(999.5), '1s');
  assert.equal(formatDuration(1000.01), '1.001s');
  assert.equal(formatDuration(Number.NaN), '0s');
});
