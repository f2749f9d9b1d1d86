// Evaluates one rule against an account's facts: the firings it reports now and the state it keeps.
import type { AccountFacts } from './facts.js';
import { evaluateBudgetThreshold } from './budget-threshold.js';
import { evaluateGrantExpiring } from './grant-expiring.js';
import { evaluateLowBalance } from './low-balance.js';
import { evaluateSpendSpike } from './spend-spike.js';
import { evaluateSpendThreshold } from './spend-threshold.js';
import { evaluateRunsOutSoon } from './runs-out-soon.js';
import type { AlertKind, AlertRule, RuleOutcome, RuleState } from './rule.js';

/** Which fact each kind needs, so an evaluator fetches only those. */
export const FACT_OF_KIND: Record<AlertKind, keyof AccountFacts> = {
  low_balance: 'balance',
  budget_threshold: 'budgets',
  grant_expiring: 'grants',
  spend_spike: 'dailySpend',
  spend_threshold: 'monthSpend',
  runs_out_soon: 'runOut',
};

/** Thrown when the fact a rule needs was not supplied. */
export class MissingFactError extends Error {
  override readonly name = 'MissingFactError';
}

function need<K extends keyof AccountFacts>(facts: AccountFacts, key: K): NonNullable<AccountFacts[K]> {
  const value = facts[key];
  if (value === undefined) throw new MissingFactError(`alert evaluation needs the "${key}" fact`);
  return value as NonNullable<AccountFacts[K]>;
}

/** Pure: same rule, state, facts and `now` give the same outcome. Only low_balance and runs_out_soon change their state. */
export function evaluateRule(rule: AlertRule, state: RuleState, facts: AccountFacts, now: number): RuleOutcome {
  switch (rule.kind) {
    case 'low_balance':
      return evaluateLowBalance(rule, state, need(facts, 'balance'), now);
    case 'budget_threshold':
      return { state, firings: evaluateBudgetThreshold(rule, need(facts, 'budgets'), now) };
    case 'grant_expiring':
      return { state, firings: evaluateGrantExpiring(rule, need(facts, 'grants'), now) };
    case 'spend_spike':
      return { state, firings: evaluateSpendSpike(rule, need(facts, 'dailySpend'), now) };
    case 'spend_threshold':
      return { state, firings: evaluateSpendThreshold(rule, need(facts, 'monthSpend'), now) };
    case 'runs_out_soon':
      return evaluateRunsOutSoon(rule, state, need(facts, 'runOut'), now);
  }
}
