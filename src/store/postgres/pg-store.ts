// The PostgreSQL store: the source of truth when several gateway replicas share one database.
// Every posting that touches an account's grants or holds locks that account's account_balances row first.
import type pg from 'pg';
import type { Price } from '../../domain/pricing/price.js';
import { newId } from '../../domain/ids/ids.js';
import type { Account, ApiKeyRecord, BalanceView, GrantRecord, LedgerEntry, NewGrant, OpenHold, Project, UsageRecord } from '../records.js';
import type { BudgetStatus, RateLimitOverride, KeyLookup, LedgerTotals, NewBudget, NewKey, Store, UsageQuery } from '../store.js';
import { toOpenHold, toOverride, toAccount, toGrant, toKey, toLedgerEntry, toPrice, toProject, toUsage, usageParams } from '../rows.js';
import { createPool, inTransaction, migratePostgres, type PoolOptions } from './pool.js';
import { PgPostings } from './pg-postings.js';
import { PgChangeFeed } from './pg-change-feed.js';
import { PgBudgets } from './budgets.js';
import type { Budget } from '../../domain/budgets/budget.js';
import type { PurchaseHistory } from '../../domain/rate-limits/tiers.js';

type Row = Record<string, unknown>;

export const ACTIVE_GRANT = `g.voided_at IS NULL AND g.expired_at IS NULL AND g.effective_at <= $NOW
  AND (g.expires_at IS NULL OR g.expires_at > $NOW)`;

export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly postings: PgPostings;
  readonly budgets: PgBudgets;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.postings = new PgPostings(pool);
    this.budgets = new PgBudgets(pool);
  }

  static async open(url: string, opts: PoolOptions = {}): Promise<PgStore> {
    const pool = createPool(url, opts);
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PgStore(pool);
  }

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async createAccount(input: { name: string; tier?: string; now: number }): Promise<{ account: Account; project: Project }> {
    const account: Account = { id: newId('acct'), name: input.name, tier: input.tier ?? 'free', createdAt: input.now };
    const project: Project = { id: newId('proj'), accountId: account.id, name: 'Default project', createdAt: input.now };
    await inTransaction(this.pool, async (c) => {
      await c.query('INSERT INTO accounts (id, name, tier, created_at) VALUES ($1, $2, $3, $4)', [account.id, account.name, account.tier, account.createdAt]);
      await c.query('INSERT INTO account_balances (account_id) VALUES ($1)', [account.id]);
      await c.query('INSERT INTO projects (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)', [project.id, project.accountId, project.name, project.createdAt]);
    });
    return { account, project };
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const [row] = await this.rows('SELECT * FROM accounts WHERE id = $1', [id]);
    return row && toAccount(row);
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.rows('SELECT * FROM accounts ORDER BY created_at, id')).map(toAccount);
  }

  async createProject(input: { accountId: string; name: string; now: number }): Promise<Project> {
    const project: Project = { id: newId('proj'), accountId: input.accountId, name: input.name, createdAt: input.now };
    await this.pool.query('INSERT INTO projects (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)',
      [project.id, project.accountId, project.name, project.createdAt]);
    return project;
  }

  async getProject(id: string): Promise<Project | undefined> {
    const [row] = await this.rows('SELECT * FROM projects WHERE id = $1', [id]);
    return row && toProject(row);
  }

  async listProjects(accountId: string): Promise<Project[]> {
    return (await this.rows('SELECT * FROM projects WHERE account_id = $1 ORDER BY created_at, id', [accountId])).map(toProject);
  }

  async createKey(input: NewKey, now: number): Promise<ApiKeyRecord> {
    const id = newId('key');
    await this.pool.query(`INSERT INTO api_keys (id, account_id, project_id, kind, name, secret_hash, redacted, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, input.accountId, input.projectId, input.kind, input.name, input.secretHash, input.redacted, now]);
    return {
      id, accountId: input.accountId, projectId: input.projectId, kind: input.kind, name: input.name,
      redacted: input.redacted, createdAt: now, revokedAt: null,
    };
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    this.localChanges++;
    const changed = await inTransaction(this.pool, async (c) => {
      const r = await c.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
      if ((r.rowCount ?? 0) > 0) await bumpChangeLog(c);
      return (r.rowCount ?? 0) > 0;
    });
    return changed;
  }

  async findKeyByHash(secretHash: string): Promise<KeyLookup | undefined> {
    const [row] = await this.rows(`SELECT k.*, a.name AS account_name, a.tier AS account_tier, a.created_at AS account_created_at
      FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.secret_hash = $1`, [secretHash]);
    if (!row) return undefined;
    return {
      key: toKey(row),
      account: toAccount({ id: row.account_id, name: row.account_name, tier: row.account_tier, created_at: row.account_created_at }),
    };
  }

  async listKeys(accountId: string): Promise<ApiKeyRecord[]> {
    return (await this.rows('SELECT * FROM api_keys WHERE account_id = $1 ORDER BY created_at, id', [accountId])).map(toKey);
  }

  insertGrant(grant: NewGrant, now: number): Promise<{ grant: GrantRecord; created: boolean }> {
    this.localChanges++;
    return this.postings.insertGrant(grant, now);
  }

  async listGrants(accountId: string): Promise<GrantRecord[]> {
    return (await this.rows('SELECT * FROM grants WHERE account_id = $1 ORDER BY created_at, id', [accountId])).map(toGrant);
  }

  expireGrants(now: number): Promise<number> {
    return this.postings.expireGrants(now);
  }

  voidGrant(grantId: string, now: number): Promise<GrantRecord | undefined> {
    this.localChanges++;
    return this.postings.voidGrant(grantId, now);
  }

  async balance(accountId: string, now: number): Promise<BalanceView> {
    // One snapshot for grants and holds, so the view never straddles a settlement.
    const { grants, row } = await inTransaction(this.pool, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const g = (await c.query('SELECT * FROM grants WHERE account_id = $1 ORDER BY created_at, id', [accountId])).rows as Row[];
      const b = (await c.query('SELECT held_pico FROM account_balances WHERE account_id = $1', [accountId])).rows[0] as Row | undefined;
      return { grants: g.map(toGrant), row: b };
    });
    let active = 0n;
    for (const g of grants) {
      if (g.voidedAt === null && g.expiredAt === null && g.effectiveAt <= now && (g.expiresAt === null || g.expiresAt > now)) active += g.remaining;
    }
    const held = row ? BigInt(row.held_pico as bigint) : 0n;
    const available = active - held;
    return { accountId, available: available > 0n ? available : 0n, held, grants };
  }

  async openHolds(): Promise<OpenHold[]> {
    return (await this.rows('SELECT * FROM holds WHERE closed_at IS NULL ORDER BY created_at')).map(toOpenHold);
  }

  async recordUsage(usage: UsageRecord): Promise<void> {
    await insertUsages(this.pool, [usage]);
  }

  async listUsage(query: UsageQuery): Promise<UsageRecord[]> {
    return (await this.rows(`SELECT * FROM usage_records WHERE account_id = $1 AND created_at >= $2 AND created_at < $3
      ORDER BY created_at, request_id LIMIT $4`,
    [query.accountId, query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER, query.limit ?? 1_000_000])).map(toUsage);
  }

  async spendByDay(accountId: string, since: number): Promise<Map<number, bigint>> {
    const rows = await this.rows(`SELECT created_at / 86400000 AS day, SUM(cost_pico - uncollected_pico) AS spent FROM usage_records
      WHERE account_id = $1 AND created_at >= $2 GROUP BY 1`, [accountId, since]);
    return new Map(rows.map((r) => [Number(r.day), BigInt(r.spent as bigint)]));
  }

  async listLedger(accountId: string): Promise<LedgerEntry[]> {
    return (await this.rows('SELECT * FROM ledger_entries WHERE account_id = $1 ORDER BY seq', [accountId])).map(toLedgerEntry);
  }

  ledgerTotals(accountId?: string): Promise<LedgerTotals> {
    return this.postings.totals(accountId);
  }

  setBudget(input: NewBudget, now: number): Promise<Budget> {
    this.localChanges++;
    return this.budgets.set(input, now);
  }

  listBudgets(accountId: string): Promise<Budget[]> {
    return this.budgets.list(accountId);
  }

  deleteBudget(budgetId: string, now: number): Promise<boolean> {
    this.localChanges++;
    return this.budgets.delete(budgetId, now);
  }

  budgetStatus(accountId: string, now: number): Promise<BudgetStatus[]> {
    return this.budgets.status(accountId, now);
  }

  async setAccountTier(accountId: string, tier: string): Promise<boolean> {
    this.localChanges++;
    const r = await this.pool.query('UPDATE accounts SET tier = $1 WHERE id = $2', [tier, accountId]);
    if ((r.rowCount ?? 0) > 0) await bumpChangeLog(this.pool);
    return (r.rowCount ?? 0) > 0;
  }

  async purchaseHistory(accountId: string): Promise<PurchaseHistory> {
    const [row] = await this.rows(`SELECT COALESCE(SUM(amount_pico), 0) AS total, MIN(created_at) AS first FROM grants
      WHERE account_id = $1 AND source = 'purchase'`, [accountId]);
    return { totalPurchased: BigInt(row?.total as bigint ?? 0n), firstPurchaseAt: row?.first === null || row?.first === undefined ? null : Number(row.first) };
  }

  async listRateLimitOverrides(projectId: string): Promise<RateLimitOverride[]> {
    return (await this.rows('SELECT * FROM rate_limit_overrides WHERE project_id = $1 ORDER BY family', [projectId])).map(toOverride);
  }

  async setRateLimitOverride(projectId: string, o: RateLimitOverride, now: number): Promise<void> {
    this.localChanges++;
    await inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO rate_limit_overrides (project_id, family, rpm, tpm, rpd, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (project_id, family) DO UPDATE SET rpm = EXCLUDED.rpm, tpm = EXCLUDED.tpm, rpd = EXCLUDED.rpd, updated_at = EXCLUDED.updated_at`,
      [projectId, o.family, o.rpm, o.tpm, o.rpd, now]);
      await bumpChangeLog(c);
    });
  }

  async listPrices(): Promise<Price[]> {
    return (await this.rows('SELECT * FROM prices ORDER BY model, effective_from')).map(toPrice);
  }

  async insertPrices(rows: readonly Price[], source: 'builtin' | 'import' | 'operator', now: number): Promise<number> {
    this.localChanges++;
    if (rows.length === 0) return 0;
    return inTransaction(this.pool, async (c) => {
      const conflict = source === 'builtin' ? 'DO NOTHING' : `DO UPDATE SET input_pico_per_token = EXCLUDED.input_pico_per_token,
        cached_input_pico_per_token = EXCLUDED.cached_input_pico_per_token, output_pico_per_token = EXCLUDED.output_pico_per_token,
        max_output_tokens = EXCLUDED.max_output_tokens, max_input_tokens = EXCLUDED.max_input_tokens, mode = EXCLUDED.mode,
        source = EXCLUDED.source, created_at = EXCLUDED.created_at`;
      const r = await c.query(`INSERT INTO prices (model, effective_from, input_pico_per_token, cached_input_pico_per_token,
        output_pico_per_token, max_output_tokens, max_input_tokens, mode, source, created_at)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::int[], $8::text[], $9::text[], $10::bigint[])
        ON CONFLICT (model, effective_from) ${conflict}`, [
        rows.map((p) => p.model), rows.map((p) => p.effectiveFrom), rows.map((p) => p.inputPerToken),
        rows.map((p) => p.cachedInputPerToken), rows.map((p) => p.outputPerToken), rows.map((p) => p.maxOutputTokens),
        rows.map((p) => p.maxInputTokens), rows.map((p) => p.mode), rows.map(() => source), rows.map(() => now),
      ]);
      if ((r.rowCount ?? 0) > 0) await bumpChangeLog(c);
      return r.rowCount ?? 0;
    });
  }

  private feed: PgChangeFeed | undefined;
  /** Admin writes made by this process move the token at once; other processes' arrive through the feed. */
  private localChanges = 0;

  /** With the change feed running, this is a local counter bumped by NOTIFY (and a 1 s poll); else one read. */
  async changeToken(): Promise<number> {
    if (this.feed) return this.feed.version + this.localChanges;
    const [row] = await this.rows('SELECT version FROM change_log WHERE id = 1');
    return Number(row?.version ?? 0);
  }

  /** Starts listening for other processes' changes (a serving replica does; the CLI does not need to). */
  async startChangeFeed(url: string): Promise<void> {
    this.feed = await PgChangeFeed.start(url, this.pool);
  }

  /** Round trip to the database, for health checks. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.feed?.stop();
    await this.pool.end();
  }
}


/** Tells every replica that cached keys, prices or balances may be stale (see PgChangeFeed). */
export async function bumpChangeLog(c: pg.PoolClient | pg.Pool): Promise<void> {
  await c.query("UPDATE change_log SET version = version + 1 WHERE id = 1; NOTIFY tollgate_changes");
}

const USAGE_COLUMNS = ['request_id', 'account_id', 'project_id', 'key_id', 'model', 'endpoint', 'input_tokens',
  'cached_input_tokens', 'output_tokens', 'reasoning_tokens', 'cost_pico', 'uncollected_pico', 'hold_pico',
  'price_effective_from', 'cache_hit', 'status', 'http_status', 'stream', 'aborted', 'latency_ms', 'created_at', 'saved_pico'] as const;
const USAGE_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint',
  'bigint', 'bigint', 'boolean', 'text', 'int', 'boolean', 'boolean', 'bigint', 'bigint', 'bigint'];

/** Many usage records in one statement (unnest of column arrays); replays are ignored. */
export async function insertUsages(c: pg.PoolClient | pg.Pool, usages: readonly UsageRecord[]): Promise<void> {
  if (usages.length === 0) return;
  const params = usages.map(usageParams);
  const columns = USAGE_COLUMNS.map((col) => params.map((p) => {
    const v = p[col];
    return col === 'cache_hit' || col === 'stream' || col === 'aborted' ? v === 1 : v;
  }));
  const unnest = USAGE_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  await c.query(`INSERT INTO usage_records (${USAGE_COLUMNS.join(', ')}) SELECT * FROM unnest(${unnest}) ON CONFLICT (request_id) DO NOTHING`, columns);
}
