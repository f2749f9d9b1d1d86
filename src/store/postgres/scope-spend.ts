// PostgreSQL adapter of the ScopeSpend port (src/services/forecast/scope-spend.ts).
import type pg from 'pg';
import type { ScopeSpend } from '../../services/forecast/scope-spend.js';

const COLUMN = { project: 'project_id', key: 'key_id' } as const;

export class PgScopeSpend implements ScopeSpend {
  constructor(private readonly pool: pg.Pool) {}

  async spentSince(accountId: string, scope: 'project' | 'key', scopeId: string, since: number): Promise<bigint> {
    const { rows } = await this.pool.query(`SELECT COALESCE(SUM(cost_pico - uncollected_pico), 0)::text AS s FROM usage_records
      WHERE account_id = $1 AND ${COLUMN[scope]} = $2 AND created_at >= $3`, [accountId, scopeId, since]);
    return BigInt((rows[0] as { s: string }).s);
  }
}
