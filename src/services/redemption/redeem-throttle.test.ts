// The guessing throttle on both bucket backends: in process, and in Redis (two connections, as two replicas would).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimitExceededError } from '../../http/errors.js';
import { InProcessRateLimiter } from '../rate-limit/in-process-limiter.js';
import { RedisRateLimiter } from '../rate-limit/redis-limiter.js';
import { redisAvailable, TEST_REDIS_URL } from '../../../test/support/test-redis.js';
import { RedeemThrottle } from './redeem-throttle.js';

const LIMITS = { perAccount: 3, perAddress: 5 };

async function refusal(p: Promise<unknown>): Promise<RateLimitExceededError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RateLimitExceededError, `expected a 429, got ${String(err)}`);
  return err;
}

async function behaves(make: () => [RedeemThrottle, RedeemThrottle]) {
  const [one, two] = make();
  const t = 1_000_000;
  for (let i = 0; i < 3; i++) await (i % 2 === 0 ? one : two).admit('acct_a', '10.0.0.1', t);
  const err = await refusal(one.admit('acct_a', '10.0.0.1', t));
  assert.equal(err.status, 429);
  assert.equal(err.code, 'rate_limit_exceeded');
  assert.equal(err.headers['retry-after-ms'], '20000', 'one failure refills every 60 s / 3');
  assert.equal(err.headers['retry-after'], '20');
  // Another account from the same address still has the address's remaining 2 (a refused check counted nothing).
  await two.admit('acct_b', '10.0.0.1', t);
  await two.admit('acct_b', '10.0.0.1', t);
  const byAddress = await refusal(one.admit('acct_c', '10.0.0.1', t));
  assert.match(byAddress.message, /your address/);
  // From another address acct_c is fine; a forgiven attempt gives its unit back.
  const ticket = await one.admit('acct_c', '10.0.0.2', t);
  await one.forgive(ticket, t);
  await two.admit('acct_c', '10.0.0.2', t);
  await two.admit('acct_c', '10.0.0.2', t);
  await one.admit('acct_c', '10.0.0.2', t);
  await refusal(two.admit('acct_c', '10.0.0.2', t));
  // Buckets refill continuously.
  await one.admit('acct_a', '10.0.0.3', t + 20_000);
}

test('the redeem throttle in process: failures per account and per address, 429 with retry-after', async () => {
  await behaves(() => {
    const limiter = new InProcessRateLimiter();
    return [new RedeemThrottle(undefined, LIMITS, limiter), new RedeemThrottle(undefined, LIMITS, limiter)];
  });
});

const reachable = await redisAvailable();
const connections: Redis[] = [];
after(() => { for (const r of connections) r.disconnect(); });

test('the redeem throttle in Redis is shared by replicas', { skip: !reachable && 'Redis unreachable' }, async () => {
  const prefix = `tollgate:test:redeem:${randomUUID()}:`;
  const open = () => {
    const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    connections.push(r);
    return r;
  };
  const [a, b] = [open(), open()];
  try {
    await behaves(() => [
      new RedeemThrottle(undefined, LIMITS, new RedisRateLimiter(a, prefix)), new RedeemThrottle(undefined, LIMITS, new RedisRateLimiter(b, prefix)),
    ]);
  } finally {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(...keys);
  }
});
