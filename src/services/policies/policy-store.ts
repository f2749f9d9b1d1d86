// The PolicyStore port: request policies, one per scope (account, project or key). Adapters live in
// src/store/sqlite/policies-store.ts and src/store/postgres/policies-store.ts; the e2e suite runs on both.
import type { Policy, PolicyRules, PolicyScope } from '../../domain/policies/policy.js';

export interface PolicyTarget {
  accountId: string;
  scope: PolicyScope;
  scopeId: string;
}

export interface PolicyStore {
  /** Replaces the scope's policy with `rules` (creating it); tells other processes the policies changed. */
  setPolicy(target: PolicyTarget, rules: PolicyRules, now: number): Promise<Policy>;
  /** Every policy of the account (its own, its projects' and its keys'). */
  listPolicies(accountId: string): Promise<Policy[]>;
  /** False when the scope had no policy. */
  deletePolicy(scope: PolicyScope, scopeId: string): Promise<boolean>;
  /**
   * The output tokens of the account's last `lastN` completed (status ok, not cache hits) requests for this model and
   * endpoint, summed, with their count: what an estimate's "typical output length" is drawn from.
   */
  recentOutput(accountId: string, model: string, endpoint: string, lastN: number): Promise<{ requests: number; outputTokens: number }>;
}

export const RECENT_OUTPUT_SQL = `SELECT COUNT(*) AS requests, COALESCE(SUM(output_tokens), 0) AS output_tokens FROM (
  SELECT output_tokens FROM usage_records WHERE account_id = $1 AND model = $2 AND endpoint = $3 AND status = 'ok' AND NOT cache_hit
  ORDER BY created_at DESC LIMIT $4) AS recent`;

type Row = Record<string, unknown>;

/** Row -> Policy, shared by both adapters (JSON text columns; bigint or number integers). */
export function toPolicy(row: Row): Policy {
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    accountId: String(row.account_id),
    scope: row.scope as PolicyScope,
    scopeId: String(row.scope_id),
    allowedModels: row.allowed_models === null || row.allowed_models === undefined ? null : JSON.parse(String(row.allowed_models)) as string[],
    maxOutputTokens: num(row.max_output_tokens),
    defaultOutputTokens: num(row.default_output_tokens),
    maxPromptTokens: num(row.max_prompt_tokens),
    substitutions: JSON.parse(String(row.substitutions ?? '{}')) as Record<string, string>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The column values of a policy's rules, in the order both adapters write them. */
export function ruleColumns(rules: PolicyRules): [string | null, number | null, number | null, number | null, string] {
  return [
    rules.allowedModels === null ? null : JSON.stringify(rules.allowedModels),
    rules.maxOutputTokens, rules.defaultOutputTokens, rules.maxPromptTokens, JSON.stringify(rules.substitutions),
  ];
}
