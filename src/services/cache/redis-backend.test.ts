import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { silentLogger } from '../../observability/logger.js';
import { redisAvailable, TEST_REDIS_URL } from '../../../test/support/test-redis.js';
import { RedisBackend } from './redis-backend.js';

const answer = { status: 200, contentType: 'application/json', stream: false, body: Buffer.from('{"a":1}'), storedAt: 7,
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0 } };

test('Redis backend: stores with PX, reads back, expires by itself', async (t) => {
  if (!(await redisAvailable())) {
    t.skip('Redis unreachable (outside CI)');
    return;
  }
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const key = `tollgate:test-cache:{acct_${process.pid}_${Date.now()}}:k`;
  try {
    const backend = new RedisBackend(redis, silentLogger);
    backend.set(key, answer, 200);
    const pttl = await redis.pttl(key);
    assert.ok(pttl > 0 && pttl <= 200, `pttl ${pttl}`);
    assert.equal((await backend.get(key))?.body.toString(), '{"a":1}');
    await new Promise((r) => setTimeout(r, 260));
    assert.equal(await backend.get(key), undefined);
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
});

test('Redis backend: an unreachable or hanging server makes get throw quickly (the step then bypasses the cache)', async () => {
  // A server that accepts nothing: commands are refused at once (no offline queue).
  const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  down.on('error', () => {});
  await assert.rejects(new RedisBackend(down, silentLogger).get('k'));
  down.disconnect();
  // A server that never answers: the lookup gives up after its timeout.
  const hanging = { getBuffer: () => new Promise(() => {}) } as unknown as Redis;
  const started = Date.now();
  await assert.rejects(new RedisBackend(hanging, silentLogger, 30).get('k'), /took over 30 ms/);
  assert.ok(Date.now() - started < 1_000);
});
