// runs_out_soon: fires while the forecast run-out date is within the rule's window, once per episode. An episode
// begins at the first evaluation that sees the run-out within the window and ends when it is past the window again
// (more credit, less spend) or there is none (no spend).
import type { RunOutFact } from './facts.js';
import { DAY_MS } from './grant-expiring.js';
import type { RuleOutcome, RuleState, RunsOutSoonParams } from './rule.js';

export function evaluateRunsOutSoon(
  rule: { id: string; accountId: string; params: RunsOutSoonParams },
  state: RuleState,
  fact: RunOutFact,
  now: number,
): RuleOutcome {
  const { withinDays } = rule.params;
  if (fact.runsOutAt !== null && fact.runsOutAt <= now + withinDays * DAY_MS) {
    const since = state.soonSince ?? now;
    return {
      state: { ...state, soonSince: since },
      firings: [{
        ruleId: rule.id,
        accountId: rule.accountId,
        dedupeKey: `runs_out_soon:${rule.id}:${since}`,
        occurredAt: now,
        data: {
          kind: 'runs_out_soon', withinDays, runsOutAt: fact.runsOutAt, burnRatePerDay: fact.burnRatePerDay,
          available: fact.available, since,
        },
      }],
    };
  }
  const { soonSince: _ended, ...rest } = state;
  return { state: rest, firings: [] };
}
