import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageRecord } from '../../store/records.js';
import { usageSeries } from './usage-series.js';

const DAY = 86_400_000;
const row = (at: number, model: string, cost: bigint, cacheHit = false): UsageRecord => ({
  requestId: `r${at}${model}`, accountId: 'a', projectId: 'p', keyId: 'k', model, endpoint: 'chat.completions',
  inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, cost, uncollected: 0n, hold: cost,
  priceEffectiveFrom: null, cacheHit, status: 'ok', httpStatus: 200, stream: false, aborted: false, latencyMs: 1, createdAt: at,
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
});
