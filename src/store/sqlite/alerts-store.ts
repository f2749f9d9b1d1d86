// AlertStore on the SQLite file: rules, the delivery log and its attempts. One process sends; claims are taken in one
// immediate transaction, so even a second process on the same file could not claim the same delivery.
import { randomUUID } from 'node:crypto';
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
import type { SqliteDb } from './database.js';

export class SqliteAlertStore implements AlertStore {
  /** `db` is the store's open database (SqliteStore.db), migrated with migrations/sqlite/003_alerts.sql. */
  constructor(private readonly db: SqliteDb) {}

  async createRule(rule: NewAlertRule, now: number): Promise<AlertRuleRecord> {
    const id = newId('alert');
    const { kind, params } = definitionColumns(rule);
    this.db.prepare(`INSERT INTO alert_rules (id, account_id, kind, params, channels, enabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, rule.accountId, kind, params, channelsColumn(rule.channels), rule.enabled === false ? 0 : 1, now, now);
    return this.mustGetRule(id);
  }

  async getRule(id: string): Promise<AlertRuleRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM alert_rules WHERE id = ?').get(id) as Row | undefined;
    return row && toRuleRecord(row);
  }

  async listRules(accountId?: string): Promise<AlertRuleRecord[]> {
    const rows = accountId === undefined
      ? this.db.prepare('SELECT * FROM alert_rules ORDER BY created_at, id').all()
      : this.db.prepare('SELECT * FROM alert_rules WHERE account_id = ? ORDER BY created_at, id').all(accountId);
    return (rows as Row[]).map(toRuleRecord);
  }

  async updateRule(id: string, patch: AlertRulePatch, now: number): Promise<AlertRuleRecord | undefined> {
    const sets: string[] = ['updated_at = ?'];
    const params: unknown[] = [now];
    if (patch.definition !== undefined) {
      const { kind, params: p } = definitionColumns(patch.definition);
      sets.push('kind = ?', 'params = ?', "state = '{}'", 'state_version = state_version + 1');
      params.push(kind, p);
    }
    if (patch.channels !== undefined) {
      sets.push('channels = ?');
      params.push(channelsColumn(patch.channels));
    }
    if (patch.enabled !== undefined) {
      sets.push('enabled = ?');
      params.push(patch.enabled ? 1 : 0);
    }
    const changed = this.db.prepare(`UPDATE alert_rules SET ${sets.join(', ')} WHERE id = ?`).run(...params, id).changes;
    return changed === 0 ? undefined : this.mustGetRule(id);
  }

  async deleteRule(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  async updateRuleState(id: string, expectedVersion: number, state: RuleState): Promise<boolean> {
    return this.db.prepare(`UPDATE alert_rules SET state = ?, state_version = state_version + 1
      WHERE id = ? AND state_version = ?`).run(stateColumn(state), id, expectedVersion).changes > 0;
  }

  async createDelivery(d: NewDelivery): Promise<{ delivery: DeliveryRecord; created: boolean }> {
    const inserted = this.db.prepare(`INSERT INTO alert_deliveries (id, account_id, rule_id, kind, event_id, dedupe_key,
        channel_key, channel_type, payload, status, attempts, next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
      ON CONFLICT (account_id, dedupe_key, channel_key) DO NOTHING`)
      .run(newId('adel'), d.accountId, d.ruleId, d.kind, d.eventId, d.dedupeKey, d.channelKey, d.channelType, d.payload,
        d.now, d.now, d.now).changes > 0;
    const row = this.db.prepare('SELECT * FROM alert_deliveries WHERE account_id = ? AND dedupe_key = ? AND channel_key = ?')
      .get(d.accountId, d.dedupeKey, d.channelKey) as Row;
    return { delivery: toDelivery(row), created: inserted };
  }

  async dueDeliveries(opts: { now: number; limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
    const claimToken = randomUUID();
    const leaseUntil = opts.now + opts.leaseMs;
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
        ORDER BY next_attempt_at, id LIMIT ?`).all(opts.now, opts.limit) as Row[];
      const claim = this.db.prepare('UPDATE alert_deliveries SET next_attempt_at = ?, claim_token = ? WHERE id = ?');
      for (const row of rows) claim.run(leaseUntil, claimToken, row.id);
      return rows.map((row) => ({ ...toDelivery(row), nextAttemptAt: leaseUntil, claimToken, leaseUntil }));
    }).immediate();
  }

  async recordAttempt(r: AttemptResult): Promise<boolean> {
    return this.db.transaction(() => {
      const row = this.db.prepare(`UPDATE alert_deliveries SET
          attempts = attempts + 1,
          status = CASE WHEN ? THEN 'delivered' WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
          next_attempt_at = CASE WHEN ? THEN NULL ELSE ? END,
          delivered_at = CASE WHEN ? THEN ? ELSE delivered_at END,
          last_status_code = ?, last_error = ?, claim_token = NULL, updated_at = ?
        WHERE id = ? AND claim_token = ? AND status = 'pending'
        RETURNING attempts`)
        .get(r.ok ? 1 : 0, r.retryAt, r.ok ? 1 : 0, r.retryAt, r.ok ? 1 : 0, r.at, r.statusCode, clipError(r.error), r.at,
          r.deliveryId, r.claimToken) as { attempts: bigint } | undefined;
      if (row === undefined) return false;
      this.db.prepare(`INSERT INTO alert_delivery_attempts (delivery_id, attempt, attempted_at, ok, status_code, error, duration_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(r.deliveryId, row.attempts, r.at, r.ok ? 1 : 0, r.statusCode, clipError(r.error), Math.round(r.durationMs));
      return true;
    }).immediate();
  }

  async getDelivery(id: string): Promise<DeliveryWithAttempts | undefined> {
    const row = this.db.prepare('SELECT * FROM alert_deliveries WHERE id = ?').get(id) as Row | undefined;
    return row && this.attach([toDelivery(row)])[0];
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryWithAttempts[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.accountId !== undefined) {
      where.push('account_id = ?');
      params.push(query.accountId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    const rows = this.db.prepare(`SELECT * FROM alert_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`).all(...params, deliveryListLimit(query.limit)) as Row[];
    return this.attach(rows.map(toDelivery));
  }

  private attach(deliveries: DeliveryRecord[]): DeliveryWithAttempts[] {
    if (deliveries.length === 0) return [];
    const marks = deliveries.map(() => '?').join(', ');
    const rows = this.db.prepare(`SELECT * FROM alert_delivery_attempts WHERE delivery_id IN (${marks})`)
      .all(...deliveries.map((d) => d.id)) as Row[];
    return withAttempts(deliveries, rows);
  }

  private async mustGetRule(id: string): Promise<AlertRuleRecord> {
    const rule = await this.getRule(id);
    if (rule === undefined) throw new Error(`alert rule ${id} vanished`);
    return rule;
  }
}
