// Where cached answers live: in process (one replica) or in Redis (shared by every replica).
import type { CachedAnswer } from '../../domain/cache/cached-answer.js';

export interface CacheBackend {
  /** The answer stored under `key`, if any and not expired. Throws when the backend cannot be reached. */
  get(key: string): CachedAnswer | undefined | Promise<CachedAnswer | undefined>;
  /** Stores `answer` for `ttlMs`. Never throws: a failed write is logged and the answer is simply not cached. */
  set(key: string, answer: CachedAnswer, ttlMs: number): void;
  readonly kind: 'memory' | 'redis';
}
