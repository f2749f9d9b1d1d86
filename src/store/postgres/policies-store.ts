// PolicyStore on PostgreSQL, shared by every replica. Each write bumps change_log and NOTIFYs tollgate_changes, so
// every replica's ChangeWatcher drops its cached policies before its next request.
import type pg from 'pg';
import type { Policy, PolicyRules, PolicyScope } from '../../domain/policies/policy.js';
import { RECENT_OUTPUT_SQL, ruleColumns, toPolicy, type PolicyStore, type PolicyTarget } from '../../services/policies/policy-store.js';
import { inTransaction } from './pool.js';
import { bumpChangeLog } from './pg-store.js';

export class PgPolicyStore implements PolicyStore {
  /** `pool` is the store's pool (PgStore.pool), migrated with migrations/postgres/007_policies.sql. */
  constructor(private readonly pool: pg.Pool) {}

  setPolicy(target: PolicyTarget, rules: PolicyRules, now: number): Promise<Policy> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query(`INSERT INTO request_policies (scope, scope_id, account_id, allowed_models, max_output_tokens,
          default_output_tokens, max_prompt_tokens, substitutions, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        ON CONFLICT (scope, scope_id) DO UPDATE SET allowed_models = EXCLUDED.allowed_models,
          max_output_tokens = EXCLUDED.max_output_tokens, default_output_tokens = EXCLUDED.default_output_tokens,
          max_prompt_tokens = EXCLUDED.max_prompt_tokens, substitutions = EXCLUDED.substitutions, updated_at = EXCLUDED.updated_at
        RETURNING *`, [target.scope, target.scopeId, target.accountId, ...ruleColumns(rules), now]);
      await bumpChangeLog(c);
      return toPolicy(rows[0] as Record<string, unknown>);
    });
  }

  async listPolicies(accountId: string): Promise<Policy[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM request_policies WHERE account_id = $1 ORDER BY created_at, scope, scope_id', [accountId]);
    return (rows as Array<Record<string, unknown>>).map(toPolicy);
  }

  deletePolicy(scope: PolicyScope, scopeId: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const r = await c.query('DELETE FROM request_policies WHERE scope = $1 AND scope_id = $2', [scope, scopeId]);
      if ((r.rowCount ?? 0) > 0) await bumpChangeLog(c);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async recentOutput(accountId: string, model: string, endpoint: string, lastN: number): Promise<{ requests: number; outputTokens: number }> {
    const { rows } = await this.pool.query(RECENT_OUTPUT_SQL, [accountId, model, endpoint, lastN]);
    const row = rows[0] as Record<string, unknown>;
    return { requests: Number(row.requests), outputTokens: Number(row.output_tokens) };
  }
}
