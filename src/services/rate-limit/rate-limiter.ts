// The rate-limiter port: one atomic check-and-count per request before the upstream call, and a correction of the
// token count once the call's real usage is known. Backends: in-process (one replica) and Redis (shared).
import type { CheckOutcome, ScopeLimits } from '../../domain/rate-limits/evaluate.js';

export type { CheckOutcome, RateLimitStatus, Refusal, ScopeLimits } from '../../domain/rate-limits/evaluate.js';

export interface RateLimitScope {
  readonly accountId: string;
  readonly projectId: string;
  /** The limit family the request counts against: EffectiveLimits.group from limitsFor, not the raw model id. */
  readonly model: string;
}

export interface RateLimiter {
  /**
   * Checks every limit of `limits` (RPM, TPM, RPD; the account's and the project's) for one request of
   * `estimatedTokens` and, only when all of them have room, counts the request and those tokens — atomically, so
   * concurrent checks (on any replica sharing the backend) never let more through than the limits allow.
   * A refusal counts nothing. `now` is epoch ms (fractions are dropped).
   */
  check(scope: RateLimitScope, limits: ScopeLimits, estimatedTokens: number, now: number): CheckOutcome | Promise<CheckOutcome>;
  /**
   * Replaces the estimate a successful check counted with the tokens the call actually used: a refund when
   * `actualTokens` is smaller, more usage (possibly past the limit, delaying the next requests) when larger.
   * A bucket that has drained and been evicted since the check is left alone.
   */
  correct(scope: RateLimitScope, estimatedTokens: number, actualTokens: number, now: number): void | Promise<void>;
}

/** Throws a RangeError unless `tokens` is a non-negative safe integer (a token count, not a fraction). */
export function assertTokenCount(name: string, tokens: number): void {
  if (!Number.isSafeInteger(tokens) || tokens < 0 || tokens > MAX_TOKENS_PER_REQUEST) {
    throw new RangeError(`${name} must be an integer token count in [0, ${MAX_TOKENS_PER_REQUEST}], got ${tokens}`);
  }
}

/** Far above any model's context; keeps bucket arithmetic exact (tokens × 60,000 ms < 2^53). */
export const MAX_TOKENS_PER_REQUEST = 1_000_000_000;
