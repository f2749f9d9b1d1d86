// The forecast of one account: burn rate, run-out date and each budget's projected period spend, from plain facts.
import type { Lot } from '../ledger/lots.js';
import type { Pico } from '../money/pico.js';
import { burnRatePerDay, DAY_MS, WINDOW_DAYS, type BurnWindow } from './burn-rate.js';
import { simulateBurn } from './run-out.js';

export interface BudgetPeriodFact {
  budgetId: string;
  /** The current period's bounds (ms), in the budget's own time zone. */
  periodStart: number;
  periodEnd: number;
  spent: Pico;
  limit: Pico;
  /**
   * A project or key budget's own spend over the burn window (its own burn rate); null for an account budget,
   * which burns at the account's rate.
   */
  windowSpent: Pico | null;
}

export interface ForecastFacts {
  now: number;
  window: BurnWindow;
  /** Grants that may still hold credit (voided and swept-expired ones may be included: they hold nothing). */
  lots: readonly Lot[];
  held: Pico;
  available: Pico;
  budgets: readonly BudgetPeriodFact[];
}

export interface BudgetForecast extends BudgetPeriodFact {
  /**
   * spent + what the scope's burn rate would spend until the period ends, capped by what the account's credit can
   * pay for until then.
   */
  projected: Pico;
  projectedOver: boolean;
}

export interface Forecast {
  windowDays: number;
  burnRatePerDay: Pico;
  available: Pico;
  runsOutAt: number | null;
  /** Whole days until run-out, rounded down; null when it never runs out at this rate. */
  daysLeft: number | null;
  lostToExpiry: Pico;
  budgets: BudgetForecast[];
}

/** Pure: the same facts always give the same forecast. */
export function forecast(facts: ForecastFacts): Forecast {
  const { now } = facts;
  const rate = burnRatePerDay(facts.window, now);
  const run = simulateBurn(facts.lots, facts.held, rate, now);
  const budgets = facts.budgets.map((b): BudgetForecast => {
    const end = Math.max(b.periodEnd, now);
    const accountCan = simulateBurn(facts.lots, facts.held, rate, now, end).consumedByHorizon;
    let more = accountCan;
    if (b.windowSpent !== null) {
      const own = (burnRatePerDay({ start: facts.window.start, spent: b.windowSpent }, now) * BigInt(end - now)) / BigInt(DAY_MS);
      if (own < more) more = own;
    }
    const projected = b.spent + more;
    return { ...b, projected, projectedOver: projected > b.limit };
  });
  return {
    windowDays: WINDOW_DAYS,
    burnRatePerDay: rate,
    available: facts.available,
    runsOutAt: run.runsOutAt,
    daysLeft: run.runsOutAt === null ? null : Math.floor((run.runsOutAt - now) / DAY_MS),
    lostToExpiry: run.lostToExpiry,
    budgets,
  };
}
