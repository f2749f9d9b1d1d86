// The shared cache: one Redis value per answer, expiring by itself (SET … PX). Every replica on the same Redis and
// prefix sees every other replica's answers.
import type { Redis } from 'ioredis';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from '../../domain/cache/cached-answer.js';
import type { Logger } from '../../observability/logger.js';
import type { CacheBackend } from './cache-backend.js';

/** A lookup slower than this is treated as Redis being unreachable: the request goes on as a miss. */
export const REDIS_LOOKUP_TIMEOUT_MS = 100;

export class RedisBackend implements CacheBackend {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis, private readonly logger: Logger, private readonly timeoutMs = REDIS_LOOKUP_TIMEOUT_MS) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`redis cache lookup took over ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const value = await Promise.race([this.redis.getBuffer(key), timeout]);
      return value ? decodeAnswer(value) : undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.redis.set(key, encodeAnswer(answer), 'PX', ttlMs).catch((err: Error) => {
      this.logger.warn('response cache write failed; the answer is not cached', { error: err.message });
    });
  }
}
