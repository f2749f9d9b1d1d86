// Usage rollup sums on PostgreSQL (table usage_rollup_minutes, kept by a statement trigger on usage_records).
import type pg from 'pg';
import type { RollupSum } from '../../domain/usage-report/report-view.js';
import { rollupSql, toRollupSum, type RollupQuery, type UsageRollupStore } from '../../services/usage-report/usage-rollup-store.js';

export class PgUsageRollups implements UsageRollupStore {
  /** `pool` is the store's pool (PgStore.pool), migrated with migrations/postgres/009_usage_rollups.sql. */
  constructor(private readonly pool: pg.Pool) {}

  async sums(q: RollupQuery): Promise<RollupSum[]> {
    // SUM(bigint) is numeric in PostgreSQL: exact, read as a decimal string.
    const { sql, args } = rollupSql(q, (i) => `$${i}`, 'SUM(charged_pico)::text AS charged');
    const rows = (await this.pool.query(sql, args)).rows as Array<Record<string, unknown>>;
    return rows.map((r) => toRollupSum(q, r, BigInt(r.charged as string)));
  }
}
