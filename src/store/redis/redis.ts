// The Redis connection replicas share state through (rate-limit counters, the response cache).
import { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger.js';

export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3_000 });
  redis.on('error', (err: Error) => logger.warn('redis error', { error: err.message }));
  await redis.connect();
  await redis.ping();
  return redis;
}

export async function redisReachable(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
