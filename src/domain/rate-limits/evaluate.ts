// The decision of one rate-limit check over already-drained bucket levels: allowed or refused (which limit, how
// long to wait), and the status the x-ratelimit-* headers report. Pure; both limiter backends use it.
import { fits, MINUTE_MS, DAY_MS, remaining, resetMs, retryAfterMs, used } from './bucket.js';
import type { ModelLimits } from './tiers.js';

export type Dimension = 'rpm' | 'tpm' | 'rpd';
export type LimitLevel = 'account' | 'project';

/** The levels of one scope's three buckets (unit·ms, see bucket.ts). */
export interface Levels {
  rpm: number;
  tpm: number;
  rpd: number;
}

/** The limits a check enforces: the account's (its tier) and, when the project has overrides, the project's. */
export interface ScopeLimits {
  readonly account: ModelLimits;
  readonly project: ModelLimits | null;
}

/** One header trio's values; resetMs is the time until the bucket is back to its initial state. */
export interface LimitStatus {
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
}

/** What x-ratelimit-*-requests (RPM) and x-ratelimit-*-tokens (TPM) report; null for an unlimited dimension. */
export interface RateLimitStatus {
  readonly requests: LimitStatus | null;
  readonly tokens: LimitStatus | null;
}

export interface Refusal {
  readonly dimension: Dimension;
  readonly level: LimitLevel;
  readonly limit: number;
  /** Units used in the window before this request. */
  readonly used: number;
  /** Units this request asked for (1 request, or its estimated tokens). */
  readonly requested: number;
  /** Ms until the request would fit; null when it never can (its tokens exceed the TPM limit). */
  readonly retryAfterMs: number | null;
}

export type CheckOutcome =
  | { readonly allowed: true; readonly status: RateLimitStatus }
  | { readonly allowed: false; readonly status: RateLimitStatus; readonly refusal: Refusal };

export const WINDOW_MS: Readonly<Record<Dimension, number>> = { rpm: MINUTE_MS, tpm: MINUTE_MS, rpd: DAY_MS };

/** A limit as the buckets store it: 0 for none. */
export function limitValue(limit: number | null): number {
  return limit ?? 0;
}

/** Whether a request of `tokens` fits every limited bucket of both levels. */
export function allFit(limits: ScopeLimits, account: Levels, project: Levels | null, tokens: number): boolean {
  return levelFits(limits.account, account, tokens) && (limits.project === null || project === null || levelFits(limits.project, project, tokens));
}

function levelFits(l: ModelLimits, v: Levels, tokens: number): boolean {
  return (l.rpm === null || fits(v.rpm, l.rpm, MINUTE_MS, 1))
    && (l.rpd === null || fits(v.rpd, l.rpd, DAY_MS, 1))
    && (l.tpm === null || fits(v.tpm, l.tpm, MINUTE_MS, tokens));
}

/**
 * Decides a check from the drained levels before the request. On success the status is the one after counting
 * the request (what OpenAI reports); on refusal it is the status as it stands, and the refusal names the limit
 * that keeps the request waiting longest (a request that can never fit first).
 */
export function evaluate(limits: ScopeLimits, account: Levels, project: Levels | null, tokens: number): CheckOutcome {
  const projectLevels = limits.project === null ? null : (project ?? ZERO);
  if (allFit(limits, account, projectLevels, tokens)) {
    return { allowed: true, status: status(limits, account, projectLevels, tokens, true) };
  }
  let worst: Refusal | null = null;
  worst = pick(worst, refusalOf('rpm', 'account', limits.account.rpm, account.rpm, 1));
  worst = pick(worst, refusalOf('rpd', 'account', limits.account.rpd, account.rpd, 1));
  worst = pick(worst, refusalOf('tpm', 'account', limits.account.tpm, account.tpm, tokens));
  if (limits.project !== null && projectLevels !== null) {
    worst = pick(worst, refusalOf('rpm', 'project', limits.project.rpm, projectLevels.rpm, 1));
    worst = pick(worst, refusalOf('rpd', 'project', limits.project.rpd, projectLevels.rpd, 1));
    worst = pick(worst, refusalOf('tpm', 'project', limits.project.tpm, projectLevels.tpm, tokens));
  }
  if (worst === null) throw new Error('rate-limit evaluate: refused without a failing limit');
  return { allowed: false, status: status(limits, account, projectLevels, tokens, false), refusal: worst };
}

const ZERO: Levels = { rpm: 0, tpm: 0, rpd: 0 };

function refusalOf(dimension: Dimension, level: LimitLevel, limit: number | null, value: number, cost: number): Refusal | null {
  if (limit === null) return null;
  const windowMs = WINDOW_MS[dimension];
  if (fits(value, limit, windowMs, cost)) return null;
  return { dimension, level, limit, used: used(value, windowMs), requested: cost, retryAfterMs: retryAfterMs(value, limit, windowMs, cost) };
}

function pick(current: Refusal | null, candidate: Refusal | null): Refusal | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  if (current.retryAfterMs === null) return current;
  if (candidate.retryAfterMs === null) return candidate;
  return candidate.retryAfterMs > current.retryAfterMs ? candidate : current;
}

function status(limits: ScopeLimits, account: Levels, project: Levels | null, tokens: number, counted: boolean): RateLimitStatus {
  const addRequest = counted ? MINUTE_MS : 0;
  const addTokens = counted ? tokens * MINUTE_MS : 0;
  const p = limits.project;
  return {
    requests: tighterStatus(limits.account.rpm, account.rpm + addRequest, p?.rpm ?? null, project === null ? 0 : project.rpm + addRequest),
    tokens: tighterStatus(limits.account.tpm, account.tpm + addTokens, p?.tpm ?? null, project === null ? 0 : project.tpm + addTokens),
  };
}

/** The trio of whichever level has less room left (the account's on a tie). */
function tighterStatus(aLimit: number | null, aLevel: number, pLimit: number | null, pLevel: number): LimitStatus | null {
  const a = aLimit === null ? null : trio(aLimit, aLevel);
  const p = pLimit === null ? null : trio(pLimit, pLevel);
  if (a === null) return p;
  if (p === null) return a;
  return p.remaining < a.remaining ? p : a;
}

function trio(limit: number, level: number): LimitStatus {
  return { limit, remaining: remaining(level, limit, MINUTE_MS), resetMs: resetMs(level, limit) };
}
