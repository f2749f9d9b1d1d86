// budget_threshold: for each budget watched, one firing per percent of the limit that the period's spend reached.
// The period is part of the dedupe key, so a new period re-arms every threshold.
import { decimalToScaledBigint, numberToDecimalString } from '../money/decimal.js';
import type { BudgetStatus } from './facts.js';
import type { Firing } from './firing.js';
import type { BudgetThresholdParams } from './rule.js';

/** Whole percents a budget alerts at when neither the rule nor the budget names any. */
export const DEFAULT_BUDGET_PERCENTS: readonly number[] = [50, 80, 100];

const PERCENT_SCALE = 4;

export function evaluateBudgetThreshold(
  rule: { id: string; accountId: string; params: BudgetThresholdParams },
  budgets: readonly BudgetStatus[],
  now: number,
): Firing[] {
  const firings: Firing[] = [];
  for (const budget of budgets) {
    if (rule.params.budgetId !== null && budget.budgetId !== rule.params.budgetId) continue;
    if (budget.limit <= 0n) continue; // a zero budget blocks everything; there is no fraction of it to report
    const percents = rule.params.percents ?? budget.thresholds ?? DEFAULT_BUDGET_PERCENTS;
    for (const percent of [...new Set(percents)].sort((a, b) => a - b)) {
      // spent / limit >= percent / 100, in integers (a budget's own thresholds may carry up to 4 decimals).
      const percentScaled = decimalToScaledBigint(numberToDecimalString(percent), PERCENT_SCALE);
      if (percentScaled <= 0n) continue;
      if (budget.spent * 100n * 10n ** BigInt(PERCENT_SCALE) < budget.limit * percentScaled) continue;
      firings.push({
        ruleId: rule.id,
        accountId: rule.accountId,
        dedupeKey: `budget:${budget.budgetId}:${budget.periodStart}:${percent}`,
        occurredAt: now,
        data: {
          kind: 'budget_threshold', budgetId: budget.budgetId, periodStart: budget.periodStart, percent,
          limit: budget.limit, spent: budget.spent,
        },
      });
    }
  }
  return firings;
}
