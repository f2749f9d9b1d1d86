// Throttles guessing: failed redemption attempts per account and per client address, on the gateway's bucket code
// (services/rate-limit: in process on one replica, in Redis when REDIS_URL is set). An attempt takes one unit from
// each bucket before it runs; a success (or a refusal that is not a guess) gives it back, so only failures count.
import type { Redis } from 'ioredis';
import { formatDuration } from '../../domain/rate-limits/duration.js';
import type { ScopeLimits } from '../../domain/rate-limits/evaluate.js';
import { RateLimitExceededError, ServiceUnavailableError } from '../../http/errors.js';
import { createRateLimiter } from '../rate-limit/create-rate-limiter.js';
import type { RateLimiter, RateLimitScope } from '../rate-limit/rate-limiter.js';

export const REDEEM_KEY_PREFIX = 'tollgate:redeem:';

export interface ThrottleLimits {
  /** Failed attempts per minute per account (the bucket refills continuously, 1 per 60/N s). */
  perAccount: number;
  /** Failed attempts per minute per client address. */
  perAddress: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAccount: 10, perAddress: 30 };

/** What admit() counted; pass it to forgive() when the attempt turned out not to be a guess. */
export interface AttemptTicket {
  scopes: RateLimitScope[];
}

export class RedeemThrottle {
  private readonly limiter: RateLimiter;

  constructor(redis: Redis | undefined, private readonly limits: ThrottleLimits = DEFAULT_THROTTLE, limiter?: RateLimiter) {
    this.limiter = limiter ?? createRateLimiter(redis, REDEEM_KEY_PREFIX);
  }

  /** Counts one attempt against the account and the address, or throws 429 (with retry-after) counting nothing. */
  async admit(accountId: string, address: string, now: number): Promise<AttemptTicket> {
    const taken: RateLimitScope[] = [];
    const buckets: Array<[RateLimitScope, number, string]> = [
      [{ accountId: `acct:${accountId}`, projectId: '', model: 'redeem' }, this.limits.perAccount, `organization ${accountId}`],
      [{ accountId: `addr:${address}`, projectId: '', model: 'redeem' }, this.limits.perAddress, 'your address'],
    ];
    for (const [scope, perMinute, who] of buckets) {
      const limits: ScopeLimits = { account: { rpm: null, tpm: perMinute, rpd: null }, project: null };
      let outcome;
      try {
        outcome = await this.limiter.check(scope, limits, 1, now);
      } catch {
        await this.forgive({ scopes: taken }, now);
        throw new ServiceUnavailableError('The rate limiter is unavailable right now; please retry the redemption.');
      }
      if (!outcome.allowed) {
        await this.forgive({ scopes: taken }, now);
        const wait = outcome.refusal.retryAfterMs ?? 60_000;
        throw new RateLimitExceededError(
          `Too many failed redemption attempts for ${who}: limit ${perMinute} per minute. Please try again in ${formatDuration(wait)}.`,
          { type: 'requests', retryAfterMs: wait },
        );
      }
      taken.push(scope);
    }
    return { scopes: taken };
  }

  /** Gives back what admit() counted: the attempt succeeded, or failed in a way that is not guessing. */
  async forgive(ticket: AttemptTicket, now: number): Promise<void> {
    for (const scope of ticket.scopes) await Promise.resolve(this.limiter.correct(scope, 1, 0, now)).catch(() => {});
  }
}
