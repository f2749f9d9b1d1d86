// Auto-recharge rules: how much to buy when the balance falls below the threshold, within the monthly cap, and how
// long to wait after a failed charge.
import type { Pico } from '../money/pico.js';
import { PICO_PER_CENT } from './plans.js';

export interface RechargeRule {
  threshold: Pico;
  /** A fixed amount per recharge, or null to top up to `target`. */
  amount: Pico | null;
  target: Pico | null;
  monthlyCap: Pico;
}

/**
 * Credits to buy now (whole cents' worth): the fixed amount, or what lifts `available` to the target (rounded up to
 * the cent, so the target is reached); never more than the cap leaves this month (`rechargedThisMonth` counts
 * successful and pending recharges). 0 means nothing.
 */
export function rechargeCredits(rule: RechargeRule, available: Pico, rechargedThisMonth: Pico): Pico {
  let want = rule.amount ?? (rule.target !== null ? rule.target - available : 0n);
  if (rule.amount === null && want > 0n && want % PICO_PER_CENT !== 0n) want += PICO_PER_CENT - (want % PICO_PER_CENT);
  const left = rule.monthlyCap - rechargedThisMonth;
  if (want > left) want = left;
  want -= want % PICO_PER_CENT;
  return want > 0n ? want : 0n;
}

export function creditsToCents(credits: Pico): number {
  return Number(credits / PICO_PER_CENT);
}

const BACKOFF_MS = [60_000, 10 * 60_000, 60 * 60_000];

/** Wait before the next try after `failures` consecutive failed charges (1 min, 10 min, 1 h, then 1 h). */
export function retryDelayMs(failures: number): number {
  return BACKOFF_MS[Math.min(Math.max(failures, 1), BACKOFF_MS.length) - 1]!;
}

/** "YYYY-MM" of a UTC instant: the monthly cap's calendar month. */
export function monthKey(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}
