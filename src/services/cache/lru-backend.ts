// The in-process cache: least-recently-used eviction under a byte bound, and expiry by an injectable clock.
import { answerBytes, type CachedAnswer } from '../../domain/cache/cached-answer.js';
import type { CacheBackend } from './cache-backend.js';

interface Slot {
  answer: CachedAnswer;
  expiresAt: number;
  bytes: number;
}

export class LruBackend implements CacheBackend {
  readonly kind = 'memory';
  /** A Map iterates in insertion order: the first entry is the least recently used. */
  private readonly slots = new Map<string, Slot>();
  private used = 0;

  constructor(private readonly maxBytes: number, private readonly now: () => number = Date.now) {}

  get(key: string): CachedAnswer | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    if (slot.expiresAt <= this.now()) {
      this.used -= slot.bytes;
      return undefined;
    }
    this.slots.set(key, slot);
    return slot.answer;
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    const bytes = answerBytes(answer, key.length);
    this.remove(key);
    // An answer larger than the whole bound is not cached (it would evict everything and then itself).
    if (bytes > this.maxBytes || ttlMs <= 0) return;
    // Keep an exact-size copy: the body may be a view into a larger socket or pool buffer, which the bound would
    // not see and which would stay alive as long as the entry.
    const body = Buffer.allocUnsafeSlow(answer.body.length);
    answer.body.copy(body);
    this.slots.set(key, { answer: { ...answer, body }, expiresAt: this.now() + ttlMs, bytes });
    this.used += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.used <= this.maxBytes) break;
      this.slots.delete(oldest);
      this.used -= slot.bytes;
    }
  }

  /** Bytes held now (never above the bound). */
  bytesUsed(): number {
    return this.used;
  }

  size(): number {
    return this.slots.size;
  }

  private remove(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.used -= slot.bytes;
  }
}
