// AlertStore on PostgreSQL: rules, the delivery log and its attempts, shared by every replica. Replicas claim due
// deliveries with FOR UPDATE SKIP LOCKED and a lease, so no two of them send the same delivery at the same time.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { newId } from '../../domain/ids/ids.js';
import type { RuleState } from '../../domain/alerts/rule.js';
import {
  deliveryListLimit,
  type AlertRulePatch, type AlertRuleRecord, type AlertStore, type AttemptResult, type ClaimedDelivery, type DeliveryQuery,
  type DeliveryRecord, type DeliveryWithAttempts, type NewAlertRule, type NewDelivery,
} from '../../services/alerts/alert-store.js';
import {
  channelsColumn, clipError, definitionColumns, stateColumn, toDelivery, toRuleRecord, withAttempts, type Row,
} from '../../services/alerts/alert-rows.js';
import { inTransaction } from './pool.js';

export class PgAlertStore implements AlertStore {
  /** `pool` is the store's pool (PgStore.pool), migrated with migrations/postgres/003_alerts.sql. */
  constructor(private readonly pool: pg.Pool) {}

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async createRule(rule: NewAlertRule, now: number): Promise<AlertRuleRecord> {
    const { kind, params } = definitionColumns(rule);
    const [row] = await this.rows(`INSERT INTO alert_rules (id, account_id, kind, params, channels, enabled, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
    [newId('alert'), rule.accountId, kind, params, channelsColumn(rule.channels), rule.enabled !== false, now]);
    return toRuleRecord(row as Row);
  }

  async getRule(id: string): Promise<AlertRuleRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM alert_rules WHERE id = $1', [id]);
    return row && toRuleRecord(row);
  }

  async listRules(accountId?: string): Promise<AlertRuleRecord[]> {
    const rows = accountId === undefined
      ? await this.rows('SELECT * FROM alert_rules ORDER BY created_at, id')
      : await this.rows('SELECT * FROM alert_rules WHERE account_id = $1 ORDER BY created_at, id', [accountId]);
    return rows.map(toRuleRecord);
  }

  async updateRule(id: string, patch: AlertRulePatch, now: number): Promise<AlertRuleRecord | undefined> {
    const params: unknown[] = [id, now];
    const sets: string[] = ['updated_at = $2'];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (patch.definition !== undefined) {
      const { kind, params: p } = definitionColumns(patch.definition);
      sets.push(`kind = ${bind(kind)}`, `params = ${bind(p)}`, "state = '{}'", 'state_version = state_version + 1');
    }
    if (patch.channels !== undefined) sets.push(`channels = ${bind(channelsColumn(patch.channels))}`);
    if (patch.enabled !== undefined) sets.push(`enabled = ${bind(patch.enabled)}`);
    const [row] = await this.rows(`UPDATE alert_rules SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
    return row && toRuleRecord(row);
  }

  async deleteRule(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM alert_rules WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async updateRuleState(id: string, expectedVersion: number, state: RuleState): Promise<boolean> {
    const result = await this.pool.query(`UPDATE alert_rules SET state = $1, state_version = state_version + 1
      WHERE id = $2 AND state_version = $3`, [stateColumn(state), id, expectedVersion]);
    return (result.rowCount ?? 0) > 0;
  }

  async createDelivery(d: NewDelivery): Promise<{ delivery: DeliveryRecord; created: boolean }> {
    const [inserted] = await this.rows(`INSERT INTO alert_deliveries (id, account_id, rule_id, kind, event_id, dedupe_key,
        channel_key, channel_type, payload, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10, $10)
      ON CONFLICT (account_id, dedupe_key, channel_key) DO NOTHING RETURNING *`,
    [newId('adel'), d.accountId, d.ruleId, d.kind, d.eventId, d.dedupeKey, d.channelKey, d.channelType, d.payload, d.now]);
    if (inserted !== undefined) return { delivery: toDelivery(inserted), created: true };
    // The conflicting row is committed (ON CONFLICT waited for it), so a fresh statement sees it.
    const [existing] = await this.rows('SELECT * FROM alert_deliveries WHERE account_id = $1 AND dedupe_key = $2 AND channel_key = $3',
      [d.accountId, d.dedupeKey, d.channelKey]);
    if (existing === undefined) throw new Error(`alert delivery ${d.dedupeKey} conflicted but cannot be read`);
    return { delivery: toDelivery(existing), created: false };
  }

  async dueDeliveries(opts: { now: number; limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
    const claimToken = randomUUID();
    const leaseUntil = opts.now + opts.leaseMs;
    const rows = await this.rows(`UPDATE alert_deliveries d SET next_attempt_at = $3, claim_token = $4
      WHERE d.id IN (
        SELECT id FROM alert_deliveries
        WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
      RETURNING d.*`, [opts.now, opts.limit, leaseUntil, claimToken]);
    return rows.map(toDelivery)
      .sort((a, b) => (a.createdAt - b.createdAt) || a.id.localeCompare(b.id))
      .map((d) => ({ ...d, claimToken, leaseUntil }));
  }

  async recordAttempt(r: AttemptResult): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<{ attempts: number }>(`UPDATE alert_deliveries SET
          attempts = attempts + 1,
          status = CASE WHEN $1::boolean THEN 'delivered' WHEN $2::bigint IS NULL THEN 'failed' ELSE 'pending' END,
          next_attempt_at = CASE WHEN $1::boolean THEN NULL ELSE $2::bigint END,
          delivered_at = CASE WHEN $1::boolean THEN $3::bigint ELSE delivered_at END,
          last_status_code = $4, last_error = $5, claim_token = NULL, updated_at = $3
        WHERE id = $6 AND claim_token = $7 AND status = 'pending'
        RETURNING attempts`,
      [r.ok, r.retryAt, r.at, r.statusCode, clipError(r.error), r.deliveryId, r.claimToken]);
      const attempt = rows[0]?.attempts;
      if (attempt === undefined) return false;
      await c.query(`INSERT INTO alert_delivery_attempts (delivery_id, attempt, attempted_at, ok, status_code, error, duration_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.deliveryId, attempt, r.at, r.ok, r.statusCode, clipError(r.error), Math.round(r.durationMs)]);
      return true;
    });
  }

  async getDelivery(id: string): Promise<DeliveryWithAttempts | undefined> {
    const [row] = await this.rows('SELECT * FROM alert_deliveries WHERE id = $1', [id]);
    return row && (await this.attach([toDelivery(row)]))[0];
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryWithAttempts[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.accountId !== undefined) where.push(`account_id = $${params.push(query.accountId)}`);
    if (query.status !== undefined) where.push(`status = $${params.push(query.status)}`);
    const limit = `$${params.push(deliveryListLimit(query.limit))}`;
    const rows = await this.rows(`SELECT * FROM alert_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${limit}`, params);
    return this.attach(rows.map(toDelivery));
  }

  private async attach(deliveries: DeliveryRecord[]): Promise<DeliveryWithAttempts[]> {
    if (deliveries.length === 0) return [];
    const rows = await this.rows('SELECT * FROM alert_delivery_attempts WHERE delivery_id = ANY($1::text[])',
      [deliveries.map((d) => d.id)]);
    return withAttempts(deliveries, rows);
  }
}
