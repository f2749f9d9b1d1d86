// The behaviour every RateLimiter backend must show, run against each (in-process-limiter.test.ts,
// redis-limiter.test.ts) so the backends cannot drift apart. Not a test file itself: the backends' tests call it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitHeaders } from '../../domain/rate-limits/headers.js';
import type { CheckOutcome, ScopeLimits } from '../../domain/rate-limits/evaluate.js';
import type { ModelLimits } from '../../domain/rate-limits/tiers.js';
import { RateLimitExceededError } from '../../http/errors.js';
import type { RateLimiter, RateLimitScope } from './rate-limiter.js';
import { rateLimitExceeded } from './refusal-error.js';

export interface LimiterHarness {
  limiter: RateLimiter;
  /** A second limiter sharing the first one's counters (another replica), when the backend can have one. */
  replica?: RateLimiter;
  close(): Promise<void> | void;
}

const T0 = 1_750_000_000_000;
const scope: RateLimitScope = { accountId: 'acct_1', projectId: 'proj_1', model: 'gpt-4o' };
const only = (l: Partial<ModelLimits>): ScopeLimits => ({ account: { rpm: null, tpm: null, rpd: null, ...l }, project: null });

function refusalOf(outcome: CheckOutcome) {
  assert.equal(outcome.allowed, false, 'expected a refusal');
  if (outcome.allowed) throw new Error('unreachable');
  return outcome.refusal;
}

export function limiterConformance(backend: string, setup: () => Promise<LimiterHarness>, opts: { skip?: string | false } = {}): void {
  const run = (name: string, body: (h: LimiterHarness) => Promise<void>) =>
    test(`${backend}: ${name}`, { skip: opts.skip ?? false }, async () => {
      const h = await setup();
      try {
        await body(h);
      } finally {
        await h.close();
      }
    });

  run('an RPM burst is refused with retry-after, OpenAI\'s message and headers', async ({ limiter }) => {
    const limits = only({ rpm: 3 });
    const first = await limiter.check(scope, limits, 0, T0);
    assert.deepEqual(first, { allowed: true, status: { requests: { limit: 3, remaining: 2, resetMs: 20_000 }, tokens: null } });
    assert.equal((await limiter.check(scope, limits, 0, T0)).allowed, true);
    const third = await limiter.check(scope, limits, 0, T0);
    assert.deepEqual(rateLimitHeaders(third.status), {
      'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1m0s',
    });
    const fourth = await limiter.check(scope, limits, 0, T0);
    assert.deepEqual(refusalOf(fourth), { dimension: 'rpm', level: 'account', limit: 3, used: 3, requested: 1, retryAfterMs: 20_000 });
    if (fourth.allowed) return;
    const error = rateLimitExceeded(fourth, scope);
    assert.ok(error instanceof RateLimitExceededError);
    assert.equal(error.status, 429);
    assert.deepEqual(error.toBody(), { error: {
      message: 'Rate limit reached for gpt-4o in organization acct_1 on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
      type: 'requests', param: null, code: 'rate_limit_exceeded',
    } });
    assert.deepEqual(error.headers, {
      'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1m0s',
      'retry-after': '20', 'retry-after-ms': '20000',
    });
  });

  run('the bucket refills continuously with the (injected) clock', async ({ limiter }) => {
    const limits = only({ rpm: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await limiter.check(scope, limits, 0, T0)).allowed, true);
    assert.equal(refusalOf(await limiter.check(scope, limits, 0, T0 + 19_999)).retryAfterMs, 1);
    const refilled = await limiter.check(scope, limits, 0, T0 + 20_000);
    assert.deepEqual(refilled.status.requests, { limit: 3, remaining: 0, resetMs: 60_000 });
    assert.equal((await limiter.check(scope, limits, 0, T0 + 20_000)).allowed, false);
    const later = T0 + 20_000 + 60_000;
    for (let i = 0; i < 3; i++) assert.equal((await limiter.check(scope, limits, 0, later)).allowed, true, `after a full window #${i}`);
    assert.equal((await limiter.check(scope, limits, 0, later)).allowed, false);
  });

  run('TPM counts the estimate, then the correction refunds or adds the difference', async ({ limiter }) => {
    const limits = only({ rpm: 100, tpm: 1000 });
    const first = await limiter.check(scope, limits, 800, T0);
    assert.deepEqual(first.status.tokens, { limit: 1000, remaining: 200, resetMs: 48_000 });
    const refused = await limiter.check(scope, limits, 300, T0);
    assert.deepEqual(refusalOf(refused), { dimension: 'tpm', level: 'account', limit: 1000, used: 800, requested: 300, retryAfterMs: 6_000 });
    assert.deepEqual(refused.status.requests, { limit: 100, remaining: 99, resetMs: 600 }, 'a refusal counts nothing');
    if (!refused.allowed) assert.equal(rateLimitExceeded(refused, scope).type, 'tokens');

    await limiter.correct(scope, 800, 100, T0);
    const after = await limiter.check(scope, limits, 300, T0);
    assert.deepEqual(after.status.tokens, { limit: 1000, remaining: 600, resetMs: 24_000 });

    await limiter.correct(scope, 300, 1200, T0); // 100 + 1200 = 1300 used: over the limit
    const over = await limiter.check(scope, limits, 1, T0);
    assert.deepEqual(refusalOf(over), { dimension: 'tpm', level: 'account', limit: 1000, used: 1300, requested: 1, retryAfterMs: 18_060 });
    assert.deepEqual(over.status.tokens, { limit: 1000, remaining: 0, resetMs: 78_000 });
    assert.equal((await limiter.check(scope, limits, 1, T0 + 18_059)).allowed, false);
    assert.equal((await limiter.check(scope, limits, 1, T0 + 18_060)).allowed, true);

    await limiter.correct(scope, 1, 0, T0 + 18_060);
    await limiter.correct({ ...scope, accountId: 'acct_never_seen' }, 5, 500, T0); // nothing to correct: no-op
    await limiter.correct(scope, 7, 7, T0);
  });

  run('a request above the TPM limit is refused as too large, without a retry hint', async ({ limiter }) => {
    const outcome = await limiter.check(scope, only({ tpm: 1000 }), 1001, T0);
    assert.equal(refusalOf(outcome).retryAfterMs, null);
    if (outcome.allowed) return;
    const error = rateLimitExceeded(outcome, scope);
    assert.match(error.message, /^Request too large for gpt-4o in organization acct_1 on tokens per min \(TPM\): Limit 1000, Requested 1001\./);
    assert.equal(error.headers['retry-after'], undefined);
    assert.equal(error.headers['x-should-retry'], 'false');
    assert.equal((await limiter.check(scope, only({ tpm: 1000 }), 1000, T0)).allowed, true, 'nothing was counted');
  });

  run('requests per day', async ({ limiter }) => {
    const limits = only({ rpm: 100, rpd: 2 });
    assert.equal((await limiter.check(scope, limits, 0, T0)).allowed, true);
    assert.equal((await limiter.check(scope, limits, 0, T0 + 1)).allowed, true);
    const third = await limiter.check(scope, limits, 0, T0 + 2);
    // Two requests, 2 ms of refill at 2 per day: the next one fits 43,199,998 ms later.
    assert.deepEqual(refusalOf(third), { dimension: 'rpd', level: 'account', limit: 2, used: 2, requested: 1, retryAfterMs: 43_199_998 });
    if (!third.allowed) assert.match(rateLimitExceeded(third, scope).message, /on requests per day \(RPD\).*Please try again in 11h59m59\.998s\.$/);
    assert.equal((await limiter.check(scope, limits, 0, T0 + 43_199_999)).allowed, false);
    assert.equal((await limiter.check(scope, limits, 0, T0 + 43_200_000)).allowed, true);
  });

  run('project overrides limit a project on its own; the account limit covers all its projects', async ({ limiter }) => {
    const withProject: ScopeLimits = { account: { rpm: 5, tpm: null, rpd: null }, project: { rpm: 2, tpm: null, rpd: null } };
    assert.equal((await limiter.check(scope, withProject, 0, T0)).allowed, true);
    const second = await limiter.check(scope, withProject, 0, T0);
    assert.deepEqual(second.status.requests, { limit: 2, remaining: 0, resetMs: 60_000 }, 'the tighter level is reported');
    const third = await limiter.check(scope, withProject, 0, T0);
    assert.deepEqual(refusalOf(third), { dimension: 'rpm', level: 'project', limit: 2, used: 2, requested: 1, retryAfterMs: 30_000 });
    if (!third.allowed) assert.match(rateLimitExceeded(third, scope).message, /in project proj_1 of organization acct_1 on requests per min/);

    const other = { ...scope, projectId: 'proj_2' };
    const plain = only({ rpm: 5 });
    for (let i = 0; i < 3; i++) assert.equal((await limiter.check(other, plain, 0, T0)).allowed, true);
    const sixth = await limiter.check(other, plain, 0, T0);
    assert.deepEqual(refusalOf(sixth), { dimension: 'rpm', level: 'account', limit: 5, used: 5, requested: 1, retryAfterMs: 12_000 });
    assert.equal((await limiter.check({ ...scope, model: 'gpt-4o-mini' }, plain, 0, T0)).allowed, true, 'families count apart');
    assert.equal((await limiter.check({ ...scope, accountId: 'acct_2' }, plain, 0, T0)).allowed, true, 'accounts count apart');
  });

  run('a promotion raises the limits and keeps what was used; unlimited dimensions report nothing', async ({ limiter }) => {
    for (let i = 0; i < 2; i++) assert.equal((await limiter.check(scope, only({ rpm: 2 }), 0, T0)).allowed, true);
    assert.equal((await limiter.check(scope, only({ rpm: 2 }), 0, T0)).allowed, false);
    const promoted = await limiter.check(scope, only({ rpm: 4 }), 0, T0);
    assert.deepEqual(promoted.status.requests, { limit: 4, remaining: 1, resetMs: 45_000 });
    const unlimited = await limiter.check(scope, only({}), 10 ** 6, T0);
    assert.deepEqual(unlimited, { allowed: true, status: { requests: null, tokens: null } });
  });

  run('200 concurrent checks against RPM 50 let exactly 50 through', async ({ limiter, replica }) => {
    const limits = only({ rpm: 50, tpm: 1_000_000 });
    const limiters = replica ? [limiter, replica] : [limiter];
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % limiters.length]!.check(scope, limits, 10, T0)));
    assert.equal(outcomes.filter((o) => o.allowed).length, 50);
    for (const o of outcomes) if (!o.allowed) assert.equal(o.refusal.dimension, 'rpm');
  });

  run('the estimate must be a whole, non-negative token count', async ({ limiter }) => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 60]) {
      await assert.rejects(async () => limiter.check(scope, only({ tpm: 10 }), bad, T0), RangeError);
    }
  });
}
