// The machine's Redis (127.0.0.1:6379; TOLLGATE_TEST_REDIS_URL overrides) for tests: outside CI an unreachable
// server skips Redis tests loudly; under CI=true it fails them.
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`Redis is expected under CI but unreachable at ${TEST_REDIS_URL}: ${(err as Error).message}`);
    process.stderr.write(`\n!!! SKIPPING Redis tests: ${TEST_REDIS_URL} unreachable (${(err as Error).message}) !!!\n\n`);
    return false;
  } finally {
    redis.disconnect();
  }
}
