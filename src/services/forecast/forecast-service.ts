// Gathers an account's forecast facts from the store (spend history, grants, balance, budgets) and computes the
// forecast (src/domain/forecast). The dashboard, the API, the CLI and the runs_out_soon alert all call forecastFor.
import { periodStart } from '../../domain/budgets/period.js';
import { windowStart } from '../../domain/forecast/burn-rate.js';
import { forecast, type Forecast } from '../../domain/forecast/forecast.js';
import { periodEnd } from '../../domain/forecast/period-end.js';
import { formatCredits } from '../../domain/money/pico.js';
import type { BalanceView } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { scopeSpendFor } from './scope-spend.js';

export interface AccountForecast extends Forecast {
  accountId: string;
  now: number;
}

/**
 * The account's forecast at `now`. `balance` overrides the store's balance view: on SQLite the serving process's
 * wallet knows in-flight holds the store has not seen yet. Undefined for an unknown account.
 */
export async function forecastFor(store: Store, accountId: string, now: number, balance?: BalanceView): Promise<AccountForecast | undefined> {
  const account = await store.getAccount(accountId);
  if (!account) return undefined;
  const start = Math.max(windowStart(now), account.createdAt);
  let spent = 0n;
  for (const amount of (await store.spendByDay(accountId, windowStart(now))).values()) spent += amount;
  const view = balance ?? await store.balance(accountId, now);
  const lots = view.grants.filter((g) => g.voidedAt === null && g.expiredAt === null && g.remaining > 0n);
  const scopes = scopeSpendFor(store);
  const budgets = await Promise.all((await store.budgetStatus(accountId, now)).map(async (s) => ({
    budgetId: s.budget.id,
    periodStart: periodStart(s.budget.period, s.budget.timeZone, now),
    periodEnd: periodEnd(s.budget.period, s.budget.timeZone, now),
    spent: s.spent,
    limit: s.budget.limit,
    windowSpent: s.budget.scope === 'account' ? null : await scopes.spentSince(accountId, s.budget.scope, s.budget.scopeId, start),
  })));
  const result = forecast({ now, window: { start, spent }, lots, held: view.held, available: view.available, budgets });
  return { ...result, accountId, now };
}

const iso = (t: number) => new Date(t).toISOString();

/** The wire form (snake_case, exact decimal credit strings, ISO 8601 UTC times). */
export function forecastView(f: AccountForecast) {
  return {
    object: 'tollgate.forecast',
    account_id: f.accountId,
    as_of: iso(f.now),
    window_days: f.windowDays,
    burn_rate_per_day: formatCredits(f.burnRatePerDay),
    available: formatCredits(f.available),
    runs_out_at: f.runsOutAt === null ? null : iso(f.runsOutAt),
    days_left: f.daysLeft,
    lost_to_expiry: formatCredits(f.lostToExpiry),
    budgets: f.budgets.map((b) => ({
      budget_id: b.budgetId,
      period_start: iso(b.periodStart),
      period_end: iso(b.periodEnd),
      spent: formatCredits(b.spent),
      projected: formatCredits(b.projected),
      limit: formatCredits(b.limit),
      projected_over: b.projectedOver,
    })),
  };
}
