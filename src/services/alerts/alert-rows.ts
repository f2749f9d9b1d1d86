// Row <-> record mapping for the alert tables, shared by the SQLite and PostgreSQL adapters (64-bit integers arrive
// as bigint, booleans as 0/1 or true/false). Stored rules are re-parsed, so a corrupt row fails loudly.
import { channelsToWire, definitionToWire, parseChannels, parseDefinition } from '../../domain/alerts/rule-wire.js';
import type { AlertChannel, AlertDefinition, AlertKind, RuleState } from '../../domain/alerts/rule.js';
import type {
  AlertRuleRecord, ChannelType, DeliveryAttempt, DeliveryRecord, DeliveryStatus,
} from './alert-store.js';

export type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v as bigint);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v as bigint));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === 1n;

export function definitionColumns(def: AlertDefinition): { kind: AlertKind; params: string } {
  const wire = definitionToWire(def);
  return { kind: wire.kind, params: JSON.stringify(wire.params) };
}

export const channelsColumn = (channels: readonly AlertChannel[]): string =>
  JSON.stringify(channelsToWire(channels, { revealSecrets: true }));

export const stateColumn = (state: RuleState): string => JSON.stringify(state);

function parseState(text: string): RuleState {
  const raw = JSON.parse(text) as { lowSince?: unknown; soonSince?: unknown };
  return {
    ...(typeof raw.lowSince === 'number' ? { lowSince: raw.lowSince } : {}),
    ...(typeof raw.soonSince === 'number' ? { soonSince: raw.soonSince } : {}),
  };
}

export function toRuleRecord(r: Row): AlertRuleRecord {
  const def = parseDefinition(r.kind, JSON.parse(String(r.params)));
  return {
    ...def,
    id: String(r.id),
    accountId: String(r.account_id),
    channels: parseChannels(JSON.parse(String(r.channels))),
    enabled: bool(r.enabled),
    state: parseState(String(r.state)),
    stateVersion: num(r.state_version),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function toDelivery(r: Row): DeliveryRecord {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    ruleId: String(r.rule_id),
    kind: String(r.kind) as AlertKind,
    eventId: String(r.event_id),
    dedupeKey: String(r.dedupe_key),
    channelKey: String(r.channel_key),
    channelType: String(r.channel_type) as ChannelType,
    payload: String(r.payload),
    status: String(r.status) as DeliveryStatus,
    attempts: num(r.attempts),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    lastStatusCode: numOrNull(r.last_status_code),
    lastError: strOrNull(r.last_error),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    deliveredAt: numOrNull(r.delivered_at),
  };
}

export function toAttempt(r: Row): DeliveryAttempt {
  return {
    attempt: num(r.attempt),
    at: num(r.attempted_at),
    ok: bool(r.ok),
    statusCode: numOrNull(r.status_code),
    error: strOrNull(r.error),
    durationMs: num(r.duration_ms),
  };
}

/** Attaches each delivery's attempts (rows of alert_delivery_attempts, any order) in attempt order. */
export function withAttempts(deliveries: DeliveryRecord[], attemptRows: Row[]) {
  const byId = new Map<string, DeliveryAttempt[]>();
  for (const row of attemptRows) {
    const id = String(row.delivery_id);
    const list = byId.get(id) ?? [];
    list.push(toAttempt(row));
    byId.set(id, list);
  }
  return deliveries.map((d) => ({ ...d, attemptLog: (byId.get(d.id) ?? []).sort((a, b) => a.attempt - b.attempt) }));
}

/** Errors are kept short in the log: the first 500 characters. */
export const clipError = (error: string | null): string | null => (error === null ? null : error.slice(0, 500));
