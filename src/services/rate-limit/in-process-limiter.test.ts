import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InProcessRateLimiter } from './in-process-limiter.js';
import { limiterConformance } from './limiter-conformance.js';

limiterConformance('in-process', async () => ({ limiter: new InProcessRateLimiter(), close: () => {} }));

test('in-process: check answers synchronously', () => {
  const limiter = new InProcessRateLimiter();
  const outcome = limiter.check({ accountId: 'a', projectId: 'p', model: 'm' }, { account: { rpm: 1, tpm: null, rpd: null }, project: null }, 0, 0);
  assert.equal(outcome instanceof Promise, false);
  assert.equal(outcome.allowed, true);
});

test('in-process: buckets that drained are swept once a minute, busy ones kept', () => {
  const limiter = new InProcessRateLimiter(60_000);
  const limits = { account: { rpm: 60, tpm: null, rpd: null }, project: { rpm: 10, tpm: null, rpd: null } };
  const t0 = 1_000_000;
  for (let i = 0; i < 100; i++) limiter.check({ accountId: `acct_${i}`, projectId: `proj_${i}`, model: 'gpt-4o' }, limits, 0, t0);
  assert.equal(limiter.size, 200);
  limiter.sweep(t0 + 500);
  assert.equal(limiter.size, 200, 'one request of 60 RPM takes 1 s to drain: nothing is idle yet');
  limiter.check({ accountId: 'busy', projectId: 'busy_p', model: 'gpt-4o' }, limits, 0, t0 + 59_000);
  assert.equal(limiter.size, 202);
  // A minute after the last sweep the next check sweeps on its own: the 200 idle scopes go, and so does the busy
  // account bucket (60 RPM: drained 1 s after its request, 1.5 s ago); its project bucket (10 RPM: 6 s) stays.
  limiter.check({ accountId: 'late', projectId: 'late_p', model: 'gpt-4o' }, limits, 0, t0 + 60_500);
  assert.equal(limiter.size, 3);
  assert.equal(limiter.check({ accountId: 'acct_0', projectId: 'proj_0', model: 'gpt-4o' }, limits, 0, t0 + 60_500).status.requests?.remaining, 9,
    'a swept scope starts empty, which is what it was');
});
