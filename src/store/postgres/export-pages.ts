// PostgreSQL adapter of the ExportSource port: one keyset query per page on the pool (no cursor held open).
import type pg from 'pg';
import type { ExportPeriod, ExportSource, UsageCursor } from '../../services/exports/export-source.js';
import type { LedgerEntry, UsageRecord } from '../records.js';
import { toLedgerEntry, toUsage } from '../rows.js';

export class PgExportPages implements ExportSource {
  constructor(private readonly pool: pg.Pool) {}

  async usagePage(period: ExportPeriod, after: UsageCursor | null, limit: number): Promise<UsageRecord[]> {
    const { rows } = await this.pool.query(`SELECT * FROM usage_records WHERE account_id = $1 AND created_at >= $2 AND created_at < $3
      AND (created_at, request_id) > ($4::bigint, $5::text) ORDER BY created_at, request_id LIMIT $6`,
    [period.accountId, period.since, period.until, after?.createdAt ?? -1, after?.requestId ?? '', limit]);
    return rows.map(toUsage);
  }

  async ledgerPage(period: ExportPeriod, afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ledger_entries WHERE account_id = $1 AND seq > $2 AND created_at >= $3
      AND created_at < $4 ORDER BY seq LIMIT $5`, [period.accountId, afterSeq, period.since, period.until, limit]);
    return rows.map(toLedgerEntry);
  }
}
