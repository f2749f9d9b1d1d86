// Budget row mapping shared by the store adapters.
import type { Budget, BudgetScope } from '../domain/budgets/budget.js';
import type { BudgetPeriod } from '../domain/budgets/period.js';

type Row = Record<string, unknown>;

export function toBudget(r: Row): Budget {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    scope: r.scope as BudgetScope,
    scopeId: r.scope_id as string,
    period: r.period as BudgetPeriod,
    timeZone: r.timezone as string,
    limit: BigInt(r.limit_pico as bigint),
    thresholds: parseThresholds(r.thresholds),
    createdAt: Number(r.created_at),
  };
}

function parseThresholds(v: unknown): number[] {
  try {
    const parsed: unknown = JSON.parse(String(v));
    return Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number') : [];
  } catch {
    return [];
  }
}
