// spend_threshold: the account's spend this calendar month reached an amount (OpenAI's organization spend alerts).
// The month is part of the dedupe key, so it fires at most once a month.
import type { MonthSpend } from './facts.js';
import type { Firing } from './firing.js';
import type { SpendThresholdParams } from './rule.js';

export function evaluateSpendThreshold(
  rule: { id: string; accountId: string; params: SpendThresholdParams },
  month: MonthSpend,
  now: number,
): Firing[] {
  if (month.spent < rule.params.threshold) return [];
  return [{
    ruleId: rule.id,
    accountId: rule.accountId,
    dedupeKey: `spend_threshold:${rule.id}:${month.month}`,
    occurredAt: now,
    data: { kind: 'spend_threshold', month: month.month, threshold: rule.params.threshold, spent: month.spent },
  }];
}
