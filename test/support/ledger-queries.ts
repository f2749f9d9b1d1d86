// Read-only questions tests ask of a Tollgate SQLite file, straight in SQL (so they do not trust the code under test
// to report on itself): captures per request, usage records by status, open holds, grant totals.
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** A separate read-only connection to a Tollgate SQLite file (WAL lets it read while the gateway writes). */
export function openReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Number of `capture` ledger entries per request id (a request can capture from several grants). */
export function captureCounts(db: Db): Map<string, number> {
  const rows = db.prepare(`SELECT request_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'capture' GROUP BY request_id`)
    .all() as Array<{ request_id: string; n: bigint }>;
  return new Map(rows.map((r) => [r.request_id, Number(r.n)]));
}

/** Σ capture amounts per request id. */
export function capturedByRequest(db: Db): Map<string, bigint> {
  const rows = db.prepare(`SELECT request_id, SUM(amount_pico) AS s FROM ledger_entries WHERE kind = 'capture' GROUP BY request_id`)
    .all() as Array<{ request_id: string; s: bigint }>;
  return new Map(rows.map((r) => [r.request_id, BigInt(r.s)]));
}

export interface UsageRow {
  request_id: string;
  account_id: string;
  status: string;
  cost_pico: bigint;
  uncollected_pico: bigint;
  hold_pico: bigint;
  input_tokens: bigint;
  output_tokens: bigint;
  stream: bigint;
  aborted: bigint;
  http_status: bigint;
}

export function usageRows(db: Db, accountId?: string): UsageRow[] {
  const sql = `SELECT request_id, account_id, status, cost_pico, uncollected_pico, hold_pico, input_tokens, output_tokens,
    stream, aborted, http_status FROM usage_records ${accountId ? 'WHERE account_id = ?' : ''} ORDER BY created_at, request_id`;
  return (accountId ? db.prepare(sql).all(accountId) : db.prepare(sql).all()) as UsageRow[];
}

export function openHoldIds(db: Db): string[] {
  return (db.prepare('SELECT request_id FROM holds WHERE closed_at IS NULL ORDER BY created_at').all() as Array<{ request_id: string }>)
    .map((r) => r.request_id);
}

/** Σ amount of ledger entries of one kind (optionally for one account). */
export function ledgerSum(db: Db, kind: string, accountId?: string): bigint {
  const row = (accountId
    ? db.prepare('SELECT COALESCE(SUM(amount_pico), 0) AS s FROM ledger_entries WHERE kind = ? AND account_id = ?').get(kind, accountId)
    : db.prepare('SELECT COALESCE(SUM(amount_pico), 0) AS s FROM ledger_entries WHERE kind = ?').get(kind)) as { s: bigint };
  return BigInt(row.s);
}

/** Σ remaining over an account's grants that are neither expired nor voided. */
export function activeRemaining(db: Db, accountId: string): bigint {
  const row = db.prepare(`SELECT COALESCE(SUM(remaining_pico), 0) AS s FROM grants
    WHERE account_id = ? AND expired_at IS NULL AND voided_at IS NULL`).get(accountId) as { s: bigint };
  return BigInt(row.s);
}
