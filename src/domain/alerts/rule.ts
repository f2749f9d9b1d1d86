// Alert rules in code form: what to watch (kind + params), where to tell (channels), and the evaluation state a rule
// carries between evaluations (the low-balance episode). Money is bigint pico-credits.
import type { Pico } from '../money/pico.js';
import type { Firing } from './firing.js';

export const ALERT_KINDS = ['low_balance', 'budget_threshold', 'grant_expiring', 'spend_spike', 'spend_threshold', 'runs_out_soon'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Fires while `available` is below `threshold`; re-arms once it is back at or above `rearmAt` (default: `threshold`). */
export interface LowBalanceParams {
  threshold: Pico;
  rearmAt: Pico | null;
}

/** Fires once per budget period for each percent of the budget's limit that spend reached. */
export interface BudgetThresholdParams {
  /** The budget to watch; null watches every budget the account has. */
  budgetId: string | null;
  /** Whole percents, e.g. [50, 80, 100]; null uses the budget's own soft thresholds. */
  percents: number[] | null;
}

/** Fires once per grant that still has credit and expires within `withinDays` days. */
export interface GrantExpiringParams {
  withinDays: number;
}

/** Fires once per day when today's spend ≥ `factor` × the trailing 7-day daily average and ≥ `minAmount`. */
export interface SpendSpikeParams {
  /** Thousandths: 3000n is "3×", 2500n is "2.5×". */
  factorMilli: bigint;
  minAmount: Pico;
}

/** Fires once per calendar month (UTC) when the account's spend that month reaches `threshold` (OpenAI's spend alerts). */
export interface SpendThresholdParams {
  threshold: Pico;
}

/** Fires once per episode while the forecast run-out date (src/domain/forecast) is within `withinDays` days. */
export interface RunsOutSoonParams {
  withinDays: number;
}

export type AlertDefinition =
  | { kind: 'low_balance'; params: LowBalanceParams }
  | { kind: 'budget_threshold'; params: BudgetThresholdParams }
  | { kind: 'grant_expiring'; params: GrantExpiringParams }
  | { kind: 'spend_spike'; params: SpendSpikeParams }
  | { kind: 'spend_threshold'; params: SpendThresholdParams }
  | { kind: 'runs_out_soon'; params: RunsOutSoonParams };

export interface WebhookChannel {
  type: 'webhook';
  url: string;
  /** HMAC-SHA256 key the payload is signed with; the receiver holds the same secret. */
  secret: string;
}

export interface EmailChannel {
  type: 'email';
  recipients: string[];
  subjectPrefix: string | null;
}

export type AlertChannel = WebhookChannel | EmailChannel;

/** What a rule remembers between evaluations: when the current episode began (low_balance, runs_out_soon). */
export interface RuleState {
  lowSince?: number;
  soonSince?: number;
}

/** What evaluating a rule yields: the facts to report now, and the state to keep. */
export interface RuleOutcome {
  firings: Firing[];
  state: RuleState;
}

export type AlertRule = AlertDefinition & {
  id: string;
  accountId: string;
  channels: AlertChannel[];
  enabled: boolean;
};

/**
 * A channel's identity for deduplication: the same fact is told to the same destination once.
 * @example channelKey({ type: 'email', recipients: ['b@x', 'a@x'], subjectPrefix: null }) // "email:a@x,b@x"
 */
export function channelKey(channel: AlertChannel): string {
  if (channel.type === 'webhook') return `webhook:${channel.url}`;
  return `email:${[...channel.recipients].map((r) => r.toLowerCase()).sort().join(',')}`;
}

/** The channel of `channels` whose key is `key`, if the rule still has it. */
export function findChannel(channels: readonly AlertChannel[], key: string): AlertChannel | undefined {
  return channels.find((c) => channelKey(c) === key);
}
