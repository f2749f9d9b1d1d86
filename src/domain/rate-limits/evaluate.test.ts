import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, drained, fits, MINUTE_MS, remaining, resetMs, retryAfterMs, used } from './bucket.js';
import { evaluate, type Levels, type ScopeLimits } from './evaluate.js';

const none = { rpm: null, tpm: null, rpd: null };
const levels = (rpm: number, tpm: number, rpd: number): Levels => ({ rpm, tpm, rpd });

test('bucket math: one unit adds a window of ms, the level drains at the limit per ms', () => {
  // 5,000 RPM after one request: back to empty in 12 ms (what OpenAI's reset header shows).
  assert.equal(resetMs(MINUTE_MS, 5_000), 12);
  // 160,000 TPM after 24 tokens: 9 ms.
  assert.equal(resetMs(24 * MINUTE_MS, 160_000), 9);
  assert.equal(drained(3 * MINUTE_MS, 3, 20_000), 2 * MINUTE_MS);
  assert.equal(drained(3 * MINUTE_MS, 3, 60_000), 0);
  assert.equal(drained(3 * MINUTE_MS, 3, 10 ** 12), 0);
  assert.equal(drained(5, 3, -100), 5, 'a clock that went back drains nothing');
  assert.equal(drained(5, 0, 1), 0, 'an unlimited dimension keeps no level');
  assert.equal(fits(2 * MINUTE_MS, 3, MINUTE_MS, 1), true);
  assert.equal(fits(2 * MINUTE_MS + 1, 3, MINUTE_MS, 1), false);
  assert.equal(retryAfterMs(3 * MINUTE_MS, 3, MINUTE_MS, 1), 20_000);
  assert.equal(retryAfterMs(2 * MINUTE_MS, 3, MINUTE_MS, 1), 0);
  assert.equal(retryAfterMs(0, 3, MINUTE_MS, 4), null);
  assert.equal(remaining(2 * MINUTE_MS + 1, 3, MINUTE_MS), 0);
  assert.equal(remaining(5 * MINUTE_MS, 3, MINUTE_MS), 0, 'over the limit after a correction');
  assert.equal(used(2 * MINUTE_MS + 1, MINUTE_MS), 3);
  assert.equal(retryAfterMs(2 * DAY_MS, 2, DAY_MS, 1), 12 * 3_600_000);
});

test('evaluate: allowed reports the status after counting; unlimited dimensions report null', () => {
  const limits: ScopeLimits = { account: { rpm: 3, tpm: 1000, rpd: null }, project: null };
  const outcome = evaluate(limits, levels(0, 0, 0), null, 100);
  assert.deepEqual(outcome, {
    allowed: true,
    status: { requests: { limit: 3, remaining: 2, resetMs: 20_000 }, tokens: { limit: 1000, remaining: 900, resetMs: 6_000 } },
  });
  assert.deepEqual(evaluate({ account: none, project: null }, levels(0, 0, 0), null, 10 ** 6), {
    allowed: true, status: { requests: null, tokens: null },
  });
});

test('evaluate: a refusal names the limit that keeps the request waiting longest', () => {
  const limits: ScopeLimits = { account: { rpm: 3, tpm: 1000, rpd: 100 }, project: null };
  // RPM full (20 s to wait), TPM needs 6 s: RPM is reported.
  const a = evaluate(limits, levels(3 * MINUTE_MS, 800 * MINUTE_MS, 0), null, 300);
  assert.equal(a.allowed, false);
  assert.deepEqual(!a.allowed && a.refusal, { dimension: 'rpm', level: 'account', limit: 3, used: 3, requested: 1, retryAfterMs: 20_000 });
  // TPM needs 54 s: TPM is reported.
  const b = evaluate(limits, levels(3 * MINUTE_MS, 1000 * MINUTE_MS, 0), null, 900);
  assert.deepEqual(!b.allowed && b.refusal, { dimension: 'tpm', level: 'account', limit: 1000, used: 1000, requested: 900, retryAfterMs: 54_000 });
  // A request that can never fit wins over any wait.
  const c = evaluate(limits, levels(3 * MINUTE_MS, 0, 0), null, 1001);
  assert.deepEqual(!c.allowed && c.refusal, { dimension: 'tpm', level: 'account', limit: 1000, used: 0, requested: 1001, retryAfterMs: null });
  // The refusal's status is the state as it stands (nothing counted).
  assert.deepEqual(c.status.requests, { limit: 3, remaining: 0, resetMs: 60_000 });
});

test('evaluate: the project level refuses on its own and reports when it is the tighter one', () => {
  const limits: ScopeLimits = { account: { rpm: 10, tpm: null, rpd: null }, project: { rpm: 2, tpm: null, rpd: null } };
  const ok = evaluate(limits, levels(5 * MINUTE_MS, 0, 0), levels(0, 0, 0), 0);
  assert.deepEqual(ok.status.requests, { limit: 2, remaining: 1, resetMs: 30_000 });
  const refused = evaluate(limits, levels(2 * MINUTE_MS, 0, 0), levels(2 * MINUTE_MS, 0, 0), 0);
  assert.deepEqual(!refused.allowed && refused.refusal, { dimension: 'rpm', level: 'project', limit: 2, used: 2, requested: 1, retryAfterMs: 30_000 });
  const accountBound = evaluate(limits, levels(9 * MINUTE_MS, 0, 0), levels(0, 0, 0), 0);
  assert.deepEqual(accountBound.status.requests, { limit: 10, remaining: 0, resetMs: 60_000 });
});
