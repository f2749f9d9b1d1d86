import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageRecord } from '../../store/records.js';
import { usageSeries } from './usage-series.js';

const DAY = 86_400_000;
const row = (at: number, model: string, cost: bigint, cacheHit = false, savedCost?: bigint): UsageRecord => ({
  requestId: `r${at}${model}`, accountId: 'a', projectId: 'p', keyId: 'k', model, endpoint: 'chat.completions',
  inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, cost, uncollected: 0n, hold: cost,
  priceEffectiveFrom: null, cacheHit, status: 'ok', httpStatus: 200, stream: false, aborted: false, latencyMs: 1, createdAt: at,
  ...(savedCost !== undefined ? { savedCost } : {}),
});

test('usage is summed per day and group, exactly, with empty days filled and out-of-range rows left out', () => {
  const since = 10 * DAY;
  const rows = [row(10 * DAY + 5, 'b', 1n), row(10 * DAY + 6, 'a', 2n), row(12 * DAY, 'a', 3n, true), row(9 * DAY, 'a', 100n)];
  const s = usageSeries(rows, 'model', since, 12 * DAY + 1);
  assert.deepEqual(s.days, ['1970-01-11', '1970-01-12', '1970-01-13']);
  assert.deepEqual(s.series.map((x) => x.name), ['a', 'b']);
  assert.deepEqual(s.series[0]!.cost, ['0.000000000002', '0', '0.000000000003']);
  assert.deepEqual(s.series[0]!.tokens, [15, 0, 15]);
  assert.equal(s.totals.cost, '0.000000000006');
  assert.equal(s.totals.requests, 3);
  assert.equal(s.totals.cache_hits, 1);
  assert.equal(usageSeries(rows, 'key', since, 12 * DAY).series[0]!.name, 'k');
  assert.equal(s.totals.saved_cost, '0');
});

test('credits saved by cache hits are summed exactly per group and in total', () => {
  const big = 123_456_789_012_345_678_901n; // beyond 2^53: would lose digits as a float
  const rows = [row(DAY, 'a', 0n, true, big), row(DAY + 1, 'a', 0n, true, 1n), row(DAY + 2, 'b', 5n), row(DAY + 3, 'b', 0n, true, 7n)];
  const s = usageSeries(rows, 'model', DAY, DAY + 10);
  assert.deepEqual(s.series.map((x) => x.saved_cost), ['123456789.012345678902', '0.000000000007']);
  assert.equal(s.totals.saved_cost, '123456789.012345678909');
  assert.equal(s.totals.cache_hits, 3);
});
