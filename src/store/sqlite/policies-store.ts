// PolicyStore on the SQLite file. Another process's write changes PRAGMA data_version, which the gateway's
// ChangeWatcher reads before every request, so a CLI edit applies on the next request.
import type { Policy, PolicyRules, PolicyScope } from '../../domain/policies/policy.js';
import { RECENT_OUTPUT_SQL, ruleColumns, toPolicy, type PolicyStore, type PolicyTarget } from '../../services/policies/policy-store.js';
import type { SqliteDb } from './database.js';

export class SqlitePolicyStore implements PolicyStore {
  /** `db` is the store's open database (SqliteStore.db), migrated with migrations/sqlite/007_policies.sql. */
  constructor(private readonly db: SqliteDb) {}

  async setPolicy(target: PolicyTarget, rules: PolicyRules, now: number): Promise<Policy> {
    this.db.prepare(`INSERT INTO request_policies (scope, scope_id, account_id, allowed_models, max_output_tokens,
        default_output_tokens, max_prompt_tokens, substitutions, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (scope, scope_id) DO UPDATE SET allowed_models = excluded.allowed_models,
        max_output_tokens = excluded.max_output_tokens, default_output_tokens = excluded.default_output_tokens,
        max_prompt_tokens = excluded.max_prompt_tokens, substitutions = excluded.substitutions, updated_at = excluded.updated_at`)
      .run(target.scope, target.scopeId, target.accountId, ...ruleColumns(rules), now, now);
    const row = this.db.prepare('SELECT * FROM request_policies WHERE scope = ? AND scope_id = ?').get(target.scope, target.scopeId);
    return toPolicy(row as Record<string, unknown>);
  }

  async listPolicies(accountId: string): Promise<Policy[]> {
    const rows = this.db.prepare('SELECT * FROM request_policies WHERE account_id = ? ORDER BY created_at, scope, scope_id').all(accountId);
    return (rows as Array<Record<string, unknown>>).map(toPolicy);
  }

  async deletePolicy(scope: PolicyScope, scopeId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM request_policies WHERE scope = ? AND scope_id = ?').run(scope, scopeId).changes > 0;
  }

  async recentOutput(accountId: string, model: string, endpoint: string, lastN: number): Promise<{ requests: number; outputTokens: number }> {
    const row = this.db.prepare(RECENT_OUTPUT_SQL.replace(/\$\d/g, '?')).get(accountId, model, endpoint, lastN) as Record<string, unknown>;
    return { requests: Number(row.requests), outputTokens: Number(row.output_tokens) };
  }
}
