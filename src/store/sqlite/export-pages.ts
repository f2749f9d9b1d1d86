// SQLite adapter of the ExportSource port: one short keyset query per page, so no read transaction stays open
// across the awaits of a long export on the serving process's connection.
import type { ExportPeriod, ExportSource, UsageCursor } from '../../services/exports/export-source.js';
import type { LedgerEntry, UsageRecord } from '../records.js';
import { toLedgerEntry, toUsage } from '../rows.js';
import type { SqliteDb } from './database.js';

type Row = Record<string, unknown>;

export class SqliteExportPages implements ExportSource {
  constructor(private readonly db: SqliteDb) {}

  async usagePage(period: ExportPeriod, after: UsageCursor | null, limit: number): Promise<UsageRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM usage_records WHERE account_id = ? AND created_at >= ? AND created_at < ?
      AND (created_at, request_id) > (?, ?) ORDER BY created_at, request_id LIMIT ?`)
      .all(period.accountId, period.since, period.until, after?.createdAt ?? -1, after?.requestId ?? '', limit) as Row[];
    return rows.map(toUsage);
  }

  async ledgerPage(period: ExportPeriod, afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const rows = this.db.prepare(`SELECT * FROM ledger_entries WHERE account_id = ? AND seq > ? AND created_at >= ? AND created_at < ?
      ORDER BY seq LIMIT ?`).all(period.accountId, afterSeq, period.since, period.until, limit) as Row[];
    return rows.map(toLedgerEntry);
  }
}
