// The AlertStore port: alert rules, and the delivery log with its attempts. Adapters live in
// src/store/sqlite/alerts-store.ts and src/store/postgres/alerts-store.ts; both pass alert-store.contract.ts.
import type { AlertChannel, AlertDefinition, AlertKind, AlertRule, RuleState } from '../../domain/alerts/rule.js';

export type AlertRuleRecord = AlertRule & {
  state: RuleState;
  /** Bumped by every state change; updateRuleState compares it so racing evaluators cannot both open an episode. */
  stateVersion: number;
  createdAt: number;
  updatedAt: number;
};

export type NewAlertRule = AlertDefinition & {
  accountId: string;
  channels: AlertChannel[];
  enabled?: boolean;
};

export interface AlertRulePatch {
  /** A new kind and params; the rule's evaluation state starts over. */
  definition?: AlertDefinition;
  channels?: AlertChannel[];
  enabled?: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export type ChannelType = AlertChannel['type'];

export interface NewDelivery {
  accountId: string;
  ruleId: string;
  kind: AlertKind;
  eventId: string;
  dedupeKey: string;
  channelKey: string;
  channelType: ChannelType;
  /** The exact JSON body sent (and signed) on every attempt. */
  payload: string;
  /** First attempt is due at this time (ms). */
  now: number;
}

export interface DeliveryAttempt {
  attempt: number;
  at: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRecord {
  id: string;
  accountId: string;
  ruleId: string;
  kind: AlertKind;
  eventId: string;
  dedupeKey: string;
  channelKey: string;
  channelType: ChannelType;
  payload: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export type DeliveryWithAttempts = DeliveryRecord & { attemptLog: DeliveryAttempt[] };

/** A delivery a worker has claimed: nobody else picks it until `leaseUntil`, and only `claimToken` may record. */
export type ClaimedDelivery = DeliveryRecord & { claimToken: string; leaseUntil: number };

export interface AttemptResult {
  deliveryId: string;
  claimToken: string;
  at: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** After a failed attempt: when to try again, or null to give up (status failed). Ignored when ok. */
  retryAt: number | null;
}

export interface DeliveryQuery {
  accountId?: string;
  status?: DeliveryStatus;
  /** Newest first; default 50, at most 500. */
  limit?: number;
}

export interface AlertStore {
  createRule(rule: NewAlertRule, now: number): Promise<AlertRuleRecord>;
  getRule(id: string): Promise<AlertRuleRecord | undefined>;
  /** One account's rules, or every rule when accountId is omitted; oldest first. */
  listRules(accountId?: string): Promise<AlertRuleRecord[]>;
  updateRule(id: string, patch: AlertRulePatch, now: number): Promise<AlertRuleRecord | undefined>;
  /** Deletes the rule; its deliveries stay in the log (pending ones fail with "rule deleted" when picked). */
  deleteRule(id: string): Promise<boolean>;
  /** Compare-and-set of a rule's state: false when another evaluator changed it since `expectedVersion`. */
  updateRuleState(id: string, expectedVersion: number, state: RuleState): Promise<boolean>;

  /** Idempotent on (account, dedupe key, channel key): a second call returns the first delivery with created=false. */
  createDelivery(delivery: NewDelivery): Promise<{ delivery: DeliveryRecord; created: boolean }>;
  /**
   * Claims up to `limit` pending deliveries due at `now` for `leaseMs`. Two workers never claim the same delivery
   * within a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one immediate transaction).
   */
  dueDeliveries(opts: { now: number; limit: number; leaseMs: number }): Promise<ClaimedDelivery[]>;
  /** Records one attempt of a claimed delivery; false (and nothing written) when the claim was lost. */
  recordAttempt(result: AttemptResult): Promise<boolean>;
  getDelivery(id: string): Promise<DeliveryWithAttempts | undefined>;
  listDeliveries(query: DeliveryQuery): Promise<DeliveryWithAttempts[]>;
}

export const DEFAULT_DELIVERY_LIST_LIMIT = 50;
export const MAX_DELIVERY_LIST_LIMIT = 500;

export function deliveryListLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) return DEFAULT_DELIVERY_LIST_LIMIT;
  return Math.min(limit, MAX_DELIVERY_LIST_LIMIT);
}
