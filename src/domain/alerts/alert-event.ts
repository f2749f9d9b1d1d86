// The alert event: the JSON body a webhook receives and the content an email renders, built from a firing.
// snake_case, credits as exact decimal strings, times as unix seconds (as OpenAI writes them).
import { createHash } from 'node:crypto';
import { scaledBigintToDecimal } from '../money/decimal.js';
import { formatCredits } from '../money/pico.js';
import type { Firing } from './firing.js';
import type { AlertKind } from './rule.js';

export interface AlertEvent {
  id: string;
  object: 'alert.event';
  type: AlertKind;
  /** Unix seconds of the evaluation that fired. */
  created: number;
  account_id: string;
  rule_id: string;
  dedupe_key: string;
  summary: string;
  data: Record<string, string | number | null>;
}

/**
 * The event id is derived from the account and the dedupe key, so every channel, retry and replica reports the same
 * crossing under the same id (receivers can deduplicate on it).
 */
export function alertEventId(accountId: string, dedupeKey: string): string {
  return `evt_${createHash('sha256').update(`${accountId}\n${dedupeKey}`).digest('hex').slice(0, 32)}`;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
const iso = (ms: number): string => new Date(ms).toISOString();

export function buildAlertEvent(firing: Firing): AlertEvent {
  return {
    id: alertEventId(firing.accountId, firing.dedupeKey),
    object: 'alert.event',
    type: firing.data.kind,
    created: seconds(firing.occurredAt),
    account_id: firing.accountId,
    rule_id: firing.ruleId,
    dedupe_key: firing.dedupeKey,
    summary: describeFiring(firing),
    data: eventData(firing),
  };
}

function eventData(firing: Firing): AlertEvent['data'] {
  const d = firing.data;
  switch (d.kind) {
    case 'low_balance':
      return { threshold: formatCredits(d.threshold), available: formatCredits(d.available), since: seconds(d.since) };
    case 'budget_threshold':
      return {
        budget_id: d.budgetId, period_start: d.periodStart, percent: d.percent,
        limit: formatCredits(d.limit), spent: formatCredits(d.spent),
      };
    case 'grant_expiring':
      return {
        grant_id: d.grantId, remaining: formatCredits(d.remaining), expires_at: seconds(d.expiresAt), within_days: d.withinDays,
      };
    case 'spend_spike':
      return {
        day: d.day, spent: formatCredits(d.spent), trailing_total: formatCredits(d.trailingTotal),
        trailing_days: d.trailingDays, trailing_daily_average: formatCredits(d.trailingTotal / BigInt(d.trailingDays)),
        factor: scaledBigintToDecimal(d.factorMilli, 3), min_amount: formatCredits(d.minAmount),
      };
    case 'spend_threshold':
      return { month: d.month, threshold: formatCredits(d.threshold), spent: formatCredits(d.spent) };
    case 'runs_out_soon':
      return {
        within_days: d.withinDays, runs_out_at: seconds(d.runsOutAt), burn_rate_per_day: formatCredits(d.burnRatePerDay),
        available: formatCredits(d.available), since: seconds(d.since),
      };
  }
}

/** One sentence a person can read (email subject and body, webhook `summary`). */
export function describeFiring(firing: Firing): string {
  const d = firing.data;
  switch (d.kind) {
    case 'low_balance':
      return `Available balance ${formatCredits(d.available)} credits is below ${formatCredits(d.threshold)} credits.`;
    case 'budget_threshold':
      return `Budget ${d.budgetId} reached ${d.percent}% of its ${formatCredits(d.limit)} credit limit for ${d.periodStart} `
        + `(spent ${formatCredits(d.spent)} credits).`;
    case 'grant_expiring':
      return `Grant ${d.grantId} has ${formatCredits(d.remaining)} credits left and expires at ${iso(d.expiresAt)}.`;
    case 'spend_spike':
      return `Spend on ${d.day} is ${formatCredits(d.spent)} credits, at least ${scaledBigintToDecimal(d.factorMilli, 3)}× `
        + `the trailing ${d.trailingDays}-day daily average (${formatCredits(d.trailingTotal / BigInt(d.trailingDays))} credits).`;
    case 'spend_threshold':
      return `Spend in ${d.month} is ${formatCredits(d.spent)} credits, at or above the ${formatCredits(d.threshold)} credit alert.`;
    case 'runs_out_soon':
      return `At ${formatCredits(d.burnRatePerDay)} credits a day, the ${formatCredits(d.available)} credits available run out at `
        + `${iso(d.runsOutAt)}, within ${d.withinDays} days.`;
  }
}
