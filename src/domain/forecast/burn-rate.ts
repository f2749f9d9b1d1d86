// The recent burn rate: captured spend over a trailing window, as integer pico-credits per day.
import type { Pico } from '../money/pico.js';

export const DAY_MS = 86_400_000;
/** The trailing window: today (UTC, so far) and the six UTC days before it. */
export const WINDOW_DAYS = 7;

export interface BurnWindow {
  /** Start of the window actually used (ms): the window's first UTC midnight, or the account's creation if later. */
  start: number;
  /** Captured spend from `start` to `now`. */
  spent: Pico;
}

/** The first instant of the trailing window for `now`: UTC midnight six days before today. */
export function windowStart(now: number): number {
  return (Math.floor(now / DAY_MS) - (WINDOW_DAYS - 1)) * DAY_MS;
}

/**
 * Pico-credits per day, rounded down: spent × 1 day ÷ the window's length so far. A window shorter than one day
 * (an account created a few minutes ago) counts as one day, so a first request does not extrapolate to a huge rate.
 * @example burnRatePerDay({ start: 0, spent: 7_000n }, 7 * DAY_MS) // 1_000n
 */
export function burnRatePerDay(window: BurnWindow, now: number): Pico {
  const elapsed = Math.max(now - window.start, DAY_MS);
  return (window.spent * BigInt(DAY_MS)) / BigInt(elapsed);
}
