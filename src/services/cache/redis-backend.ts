// The shared cache: one Redis value per answer, expiring by itself (SET … PX). Every replica on the same Redis and
// prefix sees every other replica's answers.
import type { Redis } from 'ioredis';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from '../../domain/cache/cached-answer.js';
import type { Logger } from '../../observability/logger.js';
import type { CacheBackend } from './cache-backend.js';

export class RedisBackend implements CacheBackend {
  readonly kind = 'redis';

  constructor(private readonly redis: Redis, private readonly logger: Logger) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    const value = await this.redis.getBuffer(key);
    return value ? decodeAnswer(value) : undefined;
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.redis.set(key, encodeAnswer(answer), 'PX', ttlMs).catch((err: Error) => {
      this.logger.warn('response cache write failed; the answer is not cached', { error: err.message });
    });
  }
}
