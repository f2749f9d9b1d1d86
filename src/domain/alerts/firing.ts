// A firing: one fact a rule reports, with the dedupe key that makes it be told once per destination.
import type { Pico } from '../money/pico.js';

export type FiringData =
  | { kind: 'low_balance'; threshold: Pico; available: Pico; since: number }
  | { kind: 'budget_threshold'; budgetId: string; periodStart: string; percent: number; limit: Pico; spent: Pico }
  | { kind: 'grant_expiring'; grantId: string; remaining: Pico; expiresAt: number; withinDays: number }
  | {
    kind: 'spend_spike'; day: string; spent: Pico; trailingTotal: Pico; trailingDays: number; factorMilli: bigint;
    minAmount: Pico;
  }
  | { kind: 'spend_threshold'; month: string; threshold: Pico; spent: Pico }
  | { kind: 'runs_out_soon'; withinDays: number; runsOutAt: number; burnRatePerDay: Pico; available: Pico; since: number };

export interface Firing {
  ruleId: string;
  accountId: string;
  /**
   * Identifies the crossing: `low_balance:RULE:<ms the episode began>`, `budget:BUDGET:<period>:<percent>`,
   * `grant_expiring:GRANT:<days>d`, `spend_spike:RULE:<day>`, `spend_threshold:RULE:<month>`,
   * `runs_out_soon:RULE:<ms the episode began>`.
   */
  dedupeKey: string;
  /** When the evaluation that produced it ran (ms since the epoch). */
  occurredAt: number;
  data: FiringData;
}
