// Usage rollup sums on SQLite (table usage_rollup_minutes, kept by a trigger on usage_records).
import type { RollupSum } from '../../domain/usage-report/report-view.js';
import { rollupSql, toRollupSum, type RollupQuery, type UsageRollupStore } from '../../services/usage-report/usage-rollup-store.js';
import type { SqliteDb } from './database.js';

export class SqliteUsageRollups implements UsageRollupStore {
  constructor(private readonly db: SqliteDb) {}

  async sums(q: RollupQuery): Promise<RollupSum[]> {
    // SQLite's SUM() is 64-bit and fails past ~9.2 million credits, so the amount is kept and summed in two parts
    // that cannot overflow (charged = hi × 2^20 + lo; see migrations/sqlite/009_usage_rollups.sql), joined in bigint.
    const { sql, args } = rollupSql(q, (i) => `@p${i}`, 'SUM(charged_pico_hi) AS charged_hi, SUM(charged_pico_lo) AS charged_lo');
    // Numbers are bound as bigint so SQLite divides them as integers (a JS number would be bound as REAL).
    const rows = this.db.prepare(sql).all(Object.fromEntries(args.map((v, i) => [`p${i + 1}`, typeof v === 'number' ? BigInt(v) : v]))) as Array<Record<string, unknown>>;
    return rows.map((r) => toRollupSum(q, r, (BigInt(r.charged_hi as bigint) << 20n) + BigInt(r.charged_lo as bigint)));
  }
}
