// The facts a rule is evaluated against. The gateway supplies them (balance, budgets, grants, daily spend);
// rules never read a store themselves.
import type { Pico } from '../money/pico.js';

export interface BalanceFact {
  available: Pico;
}

export interface BudgetStatus {
  budgetId: string;
  /** Names the budget period and changes when it rolls over, e.g. "2026-11" (month) or "2026-11-25" (day). */
  periodStart: string;
  limit: Pico;
  spent: Pico;
  /** The budget's own soft thresholds in whole percents, used by rules that name none. */
  thresholds?: readonly number[];
}

export interface GrantFact {
  id: string;
  remaining: Pico;
  expiresAt: number | null;
  voidedAt?: number | null;
  expiredAt?: number | null;
}

export interface DaySpend {
  /** The day's label, e.g. "2026-11-25"; it goes into the dedupe key. */
  day: string;
  spent: Pico;
}

export interface MonthSpend {
  /** The calendar month (UTC), e.g. "2026-11"; it goes into the dedupe key. */
  month: string;
  spent: Pico;
}

/** The forecast's run-out (src/domain/forecast): when the credit runs out at the recent burn rate. */
export interface RunOutFact {
  runsOutAt: number | null;
  burnRatePerDay: Pico;
  available: Pico;
}

/** How many days of spend a spend_spike rule needs: today and the seven before it. */
export const SPEND_HISTORY_DAYS = 8;
export const TRAILING_DAYS = 7;

/** Facts for one account; each is present when a rule of the kind that needs it is evaluated. */
export interface AccountFacts {
  balance?: BalanceFact;
  budgets?: readonly BudgetStatus[];
  grants?: readonly GrantFact[];
  /** Oldest first, the last entry is today; days without spend are present with 0. */
  dailySpend?: readonly DaySpend[];
  monthSpend?: MonthSpend;
  runOut?: RunOutFact;
}
