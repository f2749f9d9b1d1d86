// Budgets: a spending limit per account, project or key for a period. Pure rules; the wallets enforce them with holds.
import type { Pico } from '../money/pico.js';
import { periodKey, type BudgetPeriod } from './period.js';

export type BudgetScope = 'account' | 'project' | 'key';

export interface Budget {
  id: string;
  accountId: string;
  scope: BudgetScope;
  scopeId: string;
  period: BudgetPeriod;
  timeZone: string;
  /** Hard limit for the period; spend plus open holds never exceed it. */
  limit: Pico;
  /** Soft thresholds in percent of the limit; crossing one only alerts. */
  thresholds: number[];
  createdAt: number;
}

/** The budgets that govern a request from this key: its account's, its project's and its own. */
export function appliesTo(budget: Budget, who: { accountId: string; projectId: string | null; keyId: string | null }): boolean {
  if (budget.accountId !== who.accountId) return false;
  if (budget.scope === 'account') return budget.scopeId === who.accountId;
  if (budget.scope === 'project') return budget.scopeId === who.projectId;
  return budget.scopeId === who.keyId;
}

/** "budgetId@periodKey": the row a hold is counted against, fixed when the hold is made (no leak across a rollover). */
export function budgetPeriodRef(budget: Budget, at: number): string {
  return `${budget.id}@${periodKey(budget.period, budget.timeZone, at)}`;
}

export function splitBudgetPeriodRef(ref: string): { budgetId: string; periodKey: string } {
  const at = ref.lastIndexOf('@');
  return { budgetId: ref.slice(0, at), periodKey: ref.slice(at + 1) };
}

/** Whether a hold of `amount` fits: spent + held + amount <= limit. */
export function fits(limit: Pico, spent: Pico, held: Pico, amount: Pico): boolean {
  return spent + held + amount <= limit;
}
