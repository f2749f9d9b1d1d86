// spend_spike: today's spend is at least `factor` × the trailing 7-day daily average and at least `minAmount`.
// Compared in integers: today × 7 × 1000 ≥ factorMilli × Σ(previous 7 days). Missing history counts as zero.
import { TRAILING_DAYS, type DaySpend } from './facts.js';
import type { Firing } from './firing.js';
import type { SpendSpikeParams } from './rule.js';

export function evaluateSpendSpike(
  rule: { id: string; accountId: string; params: SpendSpikeParams },
  days: readonly DaySpend[],
  now: number,
): Firing[] {
  const today = days.at(-1);
  if (today === undefined) return [];
  const trailing = days.slice(Math.max(0, days.length - 1 - TRAILING_DAYS), -1);
  const trailingTotal = trailing.reduce((sum, d) => sum + d.spent, 0n);
  const { factorMilli, minAmount } = rule.params;
  if (today.spent <= 0n || today.spent < minAmount) return [];
  if (today.spent * BigInt(TRAILING_DAYS) * 1000n < factorMilli * trailingTotal) return [];
  return [{
    ruleId: rule.id,
    accountId: rule.accountId,
    dedupeKey: `spend_spike:${rule.id}:${today.day}`,
    occurredAt: now,
    data: {
      kind: 'spend_spike', day: today.day, spent: today.spent, trailingTotal, trailingDays: TRAILING_DAYS,
      factorMilli, minAmount,
    },
  }];
}
