// SQLite adapter of the ScopeSpend port (src/services/forecast/scope-spend.ts).
import type { ScopeSpend } from '../../services/forecast/scope-spend.js';
import type { SqliteDb } from './database.js';

const COLUMN = { project: 'project_id', key: 'key_id' } as const;

export class SqliteScopeSpend implements ScopeSpend {
  constructor(private readonly db: SqliteDb) {}

  async spentSince(accountId: string, scope: 'project' | 'key', scopeId: string, since: number): Promise<bigint> {
    const row = this.db.prepare(`SELECT COALESCE(SUM(cost_pico - uncollected_pico), 0) AS s FROM usage_records
      WHERE account_id = ? AND ${COLUMN[scope]} = ? AND created_at >= ?`).get(accountId, scopeId, since) as { s: bigint | number };
    return BigInt(row.s);
  }
}
