// Picks the rate-limiter backend: shared counters in Redis when REDIS_URL gave a connection, else in-process.
import type { Redis } from 'ioredis';
import { InProcessRateLimiter } from './in-process-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { DEFAULT_KEY_PREFIX, RedisRateLimiter } from './redis-limiter.js';

export function createRateLimiter(redis: Redis | undefined, keyPrefix = DEFAULT_KEY_PREFIX): RateLimiter {
  return redis ? new RedisRateLimiter(redis, keyPrefix) : new InProcessRateLimiter();
}
