import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertEventId, buildAlertEvent } from './alert-event.js';
import { nextAttemptAt, DEFAULT_RETRY_POLICY } from './backoff.js';

test('the event carries exact decimal credits, unix seconds and a stable id', () => {
  const event = buildAlertEvent({
    ruleId: 'alert_1', accountId: 'acct_1', dedupeKey: 'spend_spike:alert_1:2026-11-25', occurredAt: 1_764_000_000_123,
    data: { kind: 'spend_spike', day: '2026-11-25', spent: 20_000_000_000_001n, trailingTotal: 10_000_000_000_000n,
      trailingDays: 7, factorMilli: 2500n, minAmount: 1_000_000_000_000n },
  });
  assert.deepEqual(event, {
    id: alertEventId('acct_1', 'spend_spike:alert_1:2026-11-25'),
    object: 'alert.event',
    type: 'spend_spike',
    created: 1_764_000_000,
    account_id: 'acct_1',
    rule_id: 'alert_1',
    dedupe_key: 'spend_spike:alert_1:2026-11-25',
    summary: 'Spend on 2026-11-25 is 20.000000000001 credits, at least 2.5× the trailing 7-day daily average (1.428571428571 credits).',
    data: {
      day: '2026-11-25', spent: '20.000000000001', trailing_total: '10', trailing_days: 7,
      trailing_daily_average: '1.428571428571', factor: '2.5', min_amount: '1',
    },
  });
  assert.match(event.id, /^evt_[0-9a-f]{32}$/);
  assert.notEqual(alertEventId('acct_2', event.dedupe_key), event.id);
});

test('retries follow the schedule and stop after the last attempt', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextAttemptAt(n, 1_000, DEFAULT_RETRY_POLICY));
  assert.deepEqual(delays, [31_000, 121_000, 601_000, 1_801_000, 3_601_000, 7_201_000, 14_401_000, null]);
  assert.equal(nextAttemptAt(4, 0, { scheduleMs: [10, 20], maxAttempts: 5 }), 20, 'the last delay repeats');
  assert.equal(nextAttemptAt(1, 0, { scheduleMs: [10], maxAttempts: 1 }), null);
});
