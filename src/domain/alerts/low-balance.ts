// low_balance: fires while the available balance is below the threshold, once per episode. An episode begins at the
// first evaluation that sees the balance below the threshold and ends when it is back at or above the re-arm level.
import type { BalanceFact } from './facts.js';
import type { LowBalanceParams, RuleOutcome, RuleState } from './rule.js';

export function evaluateLowBalance(
  rule: { id: string; accountId: string; params: LowBalanceParams },
  state: RuleState,
  balance: BalanceFact,
  now: number,
): RuleOutcome {
  const { threshold, rearmAt } = rule.params;
  if (balance.available < threshold) {
    // The episode's start is kept, so re-evaluating during the episode yields the same dedupe key.
    const since = state.lowSince ?? now;
    return {
      state: { ...state, lowSince: since },
      firings: [{
        ruleId: rule.id,
        accountId: rule.accountId,
        dedupeKey: `low_balance:${rule.id}:${since}`,
        occurredAt: now,
        data: { kind: 'low_balance', threshold, available: balance.available, since },
      }],
    };
  }
  if (state.lowSince !== undefined && balance.available < (rearmAt ?? threshold)) {
    return { state, firings: [] };
  }
  const { lowSince: _ended, ...rest } = state;
  return { state: rest, firings: [] };
}
