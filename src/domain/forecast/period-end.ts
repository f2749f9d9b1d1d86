// The end of a budget period (the next period's start), in the budget's time zone.
import { periodStart, type BudgetPeriod } from '../budgets/period.js';

const HOUR_MS = 3_600_000;
/** Past the longest period of each kind (a 25-hour DST day, a week, a 31-day month) but short of two of them. */
const STEP_MS: Record<BudgetPeriod, number> = { day: 26 * HOUR_MS, week: 8 * 24 * HOUR_MS, month: 32 * 24 * HOUR_MS };

/** The instant the period containing `at` ends: local midnight of the next period's first day. */
export function periodEnd(period: BudgetPeriod, timeZone: string, at: number): number {
  return periodStart(period, timeZone, periodStart(period, timeZone, at) + STEP_MS[period]);
}
