import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deltaMs, percentile, percentiles, pct } from './stats.js';

test('percentile is nearest-rank over an unsorted sample', () => {
  const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.equal(percentile(samples, 50), 5);
  assert.equal(percentile(samples, 99), 10);
  assert.equal(percentile(samples, 0), 1);
  assert.deepEqual(percentiles(samples, [50, 90, 100]), [5, 9, 10]);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(samples, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 'the input is not sorted in place');
});

test('formatting keeps signs and says n/a for missing figures', () => {
  assert.equal(pct(0.4567), '45.7%');
  assert.equal(pct(Number.NaN), 'n/a');
  assert.equal(deltaMs(0.25, 2), '+0.25 ms');
  assert.equal(deltaMs(-1.5, 1), '−1.5 ms');
});
