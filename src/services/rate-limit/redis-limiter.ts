// The rate limiter shared by replicas: each check is one Lua script in Redis (drain, decide, count atomically);
// keys are prefixed, hash-tagged by account (both of a check's keys in one cluster slot) and expire when drained.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { evaluate, limitValue, type CheckOutcome, type Levels, type ScopeLimits } from '../../domain/rate-limits/evaluate.js';
import type { ModelLimits } from '../../domain/rate-limits/tiers.js';
import { assertTokenCount, type RateLimiter, type RateLimitScope } from './rate-limiter.js';
import { CHECK_SCRIPT, CORRECT_SCRIPT } from './redis-scripts.js';

export const DEFAULT_KEY_PREFIX = 'tollgate:rl:';

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

const CHECK = script(CHECK_SCRIPT);
const CORRECT = script(CORRECT_SCRIPT);

/**
 * Counters live in Redis, so every replica given the same Redis and prefix enforces one combined limit. `now` comes
 * from the caller: replicas' clocks should be NTP-synchronised (skew shifts when buckets refill, never the count).
 * A Redis failure rejects the returned promise; whether to fail open or closed is the caller's decision.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix = DEFAULT_KEY_PREFIX) {}

  /** The two keys of a scope (exposed for tests and operators). */
  keysOf(scope: RateLimitScope): [account: string, project: string] {
    const tag = `${this.prefix}{${scope.accountId}}`;
    return [`${tag}:a:${scope.model}`, `${tag}:p:${scope.projectId}:${scope.model}`];
  }

  async check(scope: RateLimitScope, limits: ScopeLimits, estimatedTokens: number, now: number): Promise<CheckOutcome> {
    assertTokenCount('estimatedTokens', estimatedTokens);
    const p = limits.project;
    const reply = await this.run(CHECK, this.keysOf(scope), [
      Math.floor(now), estimatedTokens, ...limitArgs(limits.account), p === null ? 0 : 1, ...limitArgs(p),
    ]);
    if (!Array.isArray(reply) || reply.length !== 7) throw new Error('rate-limit check script: unexpected reply');
    const n = reply.map((v) => Number(v));
    const account: Levels = { rpm: n[1]!, tpm: n[2]!, rpd: n[3]! };
    const project: Levels | null = p === null ? null : { rpm: n[4]!, tpm: n[5]!, rpd: n[6]! };
    const outcome = evaluate(limits, account, project, estimatedTokens);
    if (outcome.allowed !== (n[0] === 1)) {
      throw new Error('rate-limit check script and evaluate() disagree: the Lua and bucket.ts have diverged');
    }
    return outcome;
  }

  async correct(scope: RateLimitScope, estimatedTokens: number, actualTokens: number, now: number): Promise<void> {
    assertTokenCount('estimatedTokens', estimatedTokens);
    assertTokenCount('actualTokens', actualTokens);
    const delta = actualTokens - estimatedTokens;
    if (delta === 0) return;
    await this.run(CORRECT, this.keysOf(scope), [Math.floor(now), delta]);
  }

  /** EVALSHA, falling back to EVAL (which caches the script) the first time a Redis has not seen it. */
  private async run(s: Script, keys: readonly string[], args: readonly number[]): Promise<unknown> {
    const argv = args.map(String);
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...argv);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await this.redis.eval(s.source, keys.length, ...keys, ...argv);
    }
  }
}

function limitArgs(limits: ModelLimits | null): [number, number, number] {
  return limits === null ? [0, 0, 0] : [limitValue(limits.rpm), limitValue(limits.tpm), limitValue(limits.rpd)];
}
