// The port the usage and costs API reads: sums of the per-minute usage rollups (migrations/*/009_usage_rollups.sql),
// by bucket and by the groups asked for, and the one SQL query both adapters run.
import type { RollupSum } from '../../domain/usage-report/report-view.js';

export type RollupKind = 'completions' | 'embeddings';

export interface RollupQuery {
  accountId: string;
  kinds: readonly RollupKind[];
  /** Unix seconds, minute-aligned: [from, to) is read. */
  from: number;
  to: number;
  /** Buckets start at origin + i × widthSec. */
  origin: number;
  widthSec: number;
  group: { project: boolean; key: boolean; model: boolean };
  projectIds: readonly string[] | null;
  keyIds: readonly string[] | null;
  models: readonly string[] | null;
}

export interface UsageRollupStore {
  sums(q: RollupQuery): Promise<RollupSum[]>;
}

/** The SQL both adapters run; `placeholder(i)` writes the i-th (1-based) numbered parameter (`@pi` or `$i`). */
export function rollupSql(q: RollupQuery, placeholder: (i: number) => string, costColumns: string): { sql: string; args: unknown[] } {
  const args: unknown[] = [q.origin, q.widthSec, q.accountId, q.from, q.to];
  const p = (v: unknown) => {
    args.push(v);
    return placeholder(args.length);
  };
  const where = [`account_id = ${placeholder(3)}`, `minute >= ${placeholder(4)}`, `minute < ${placeholder(5)}`,
    `kind IN (${q.kinds.map((k) => p(k)).join(', ')})`];
  const filter = (column: string, values: readonly string[] | null) => {
    if (values) where.push(`${column} IN (${values.map((v) => p(v)).join(', ')})`);
  };
  filter('project_id', q.projectIds);
  filter('key_id', q.keyIds);
  filter('model', q.models);
  const groups = [q.group.project ? 'project_id' : null, q.group.key ? 'key_id' : null, q.group.model ? 'model' : null]
    .filter((c): c is string => c !== null);
  const sql = `SELECT (minute - ${placeholder(1)}) / ${placeholder(2)} AS bucket${groups.map((c) => `, ${c}`).join('')},
    SUM(input_tokens) AS input_tokens, SUM(cached_input_tokens) AS cached_input_tokens, SUM(output_tokens) AS output_tokens,
    SUM(requests) AS requests, ${costColumns}
    FROM usage_rollup_minutes WHERE ${where.join(' AND ')}
    GROUP BY bucket${groups.map((c) => `, ${c}`).join('')}`;
  return { sql, args };
}

/** A summed row (bigint from SQLite, string or number from PostgreSQL) as a RollupSum. */
export function toRollupSum(q: RollupQuery, r: Record<string, unknown>, charged: bigint): RollupSum {
  const id = (v: unknown) => (v === undefined || v === '' ? null : String(v));
  return {
    bucketStart: q.origin + Number(r.bucket) * q.widthSec,
    projectId: q.group.project ? id(r.project_id) : null,
    keyId: q.group.key ? id(r.key_id) : null,
    model: q.group.model ? id(r.model) : null,
    inputTokens: Number(r.input_tokens),
    cachedInputTokens: Number(r.cached_input_tokens),
    outputTokens: Number(r.output_tokens),
    requests: Number(r.requests),
    charged,
  };
}
