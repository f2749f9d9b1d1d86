// The embedded default store: one SQLite file (WAL). Every money movement is one transaction.
import type { Statement } from 'better-sqlite3';
import type { Price } from '../../domain/pricing/price.js';
import type { Pico } from '../../domain/money/pico.js';
import { DEFAULT_PRIORITY, type Lot } from '../../domain/ledger/lots.js';
import { newId } from '../../domain/ids/ids.js';
import type {
  Account, ApiKeyRecord, BalanceView, GrantRecord, LedgerEntry, NewGrant, OpenHold, Project, UsageRecord,
} from '../records.js';
import type { BudgetStatus, RateLimitOverride, KeyLookup, LedgerTotals, NewBudget, NewKey, PostingBatch, Store, UsageQuery } from '../store.js';
import { openSqlite, type SqliteDb } from './database.js';
import { toOpenHold, toOverride, toAccount, toGrant, toKey, toLedgerEntry, toPrice, toProject, toUsage, USAGE_INSERT, usageParams } from '../rows.js';
import { SqlitePostings, sumColumn } from './postings.js';
import { SqliteBudgets } from './budgets.js';
import type { Budget } from '../../domain/budgets/budget.js';
import type { PurchaseHistory } from '../../domain/rate-limits/tiers.js';

type Row = Record<string, unknown>;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: SqliteDb;
  private readonly postings: SqlitePostings;
  readonly budgets: SqliteBudgets;
  private localChanges = 0;

  constructor(path: string, opts: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    this.db = openSqlite(path, opts);
    this.postings = new SqlitePostings(this.db);
    this.budgets = new SqliteBudgets(this.db);
  }

  async createAccount(input: { name: string; tier?: string; now: number }): Promise<{ account: Account; project: Project }> {
    const account: Account = { id: newId('acct'), name: input.name, tier: input.tier ?? 'free', createdAt: input.now };
    const project: Project = { id: newId('proj'), accountId: account.id, name: 'Default project', createdAt: input.now };
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO accounts (id, name, tier, created_at) VALUES (?, ?, ?, ?)')
        .run(account.id, account.name, account.tier, account.createdAt);
      this.db.prepare('INSERT INTO projects (id, account_id, name, created_at) VALUES (?, ?, ?, ?)')
        .run(project.id, project.accountId, project.name, project.createdAt);
    }).immediate();
    return { account, project };
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Row | undefined;
    return row && toAccount(row);
  }

  async listAccounts(): Promise<Account[]> {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at, id').all() as Row[]).map(toAccount);
  }

  async createProject(input: { accountId: string; name: string; now: number }): Promise<Project> {
    const project: Project = { id: newId('proj'), accountId: input.accountId, name: input.name, createdAt: input.now };
    this.db.prepare('INSERT INTO projects (id, account_id, name, created_at) VALUES (?, ?, ?, ?)')
      .run(project.id, project.accountId, project.name, project.createdAt);
    return project;
  }

  async getProject(id: string): Promise<Project | undefined> {
    const row = this.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as Row | undefined;
    return row && toProject(row);
  }

  async listProjects(accountId: string): Promise<Project[]> {
    return (this.db.prepare('SELECT * FROM projects WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[]).map(toProject);
  }

  async createKey(input: NewKey, now: number): Promise<ApiKeyRecord> {
    this.localChanges++;
    const id = newId('key');
    this.db.prepare(`INSERT INTO api_keys (id, account_id, project_id, kind, name, secret_hash, redacted, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, input.accountId, input.projectId, input.kind, input.name, input.secretHash, input.redacted, now);
    return {
      id, accountId: input.accountId, projectId: input.projectId, kind: input.kind, name: input.name,
      redacted: input.redacted, createdAt: now, revokedAt: null,
    };
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    this.localChanges++;
    return this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  async findKeyByHash(secretHash: string): Promise<KeyLookup | undefined> {
    const row = this.db.prepare(`SELECT k.*, a.name AS account_name, a.tier AS account_tier, a.created_at AS account_created_at
      FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.secret_hash = ?`).get(secretHash) as Row | undefined;
    if (!row) return undefined;
    return {
      key: toKey(row),
      account: toAccount({ id: row.account_id, name: row.account_name, tier: row.account_tier, created_at: row.account_created_at }),
    };
  }

  async listKeys(accountId: string): Promise<ApiKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[]).map(toKey);
  }

  async insertGrant(grant: NewGrant, now: number): Promise<{ grant: GrantRecord; created: boolean }> {
    this.localChanges++;
    return this.postings.insertGrant(grant, now);
  }

  async listGrants(accountId: string): Promise<GrantRecord[]> {
    return (this.db.prepare('SELECT * FROM grants WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[]).map(toGrant);
  }

  /** Lots that can still be spent from (the wallet filters by time itself). */
  loadLots(accountId: string): Lot[] {
    const rows = this.db.prepare(`SELECT id, remaining_pico, priority, effective_at, expires_at, created_at FROM grants
      WHERE account_id = ? AND voided_at IS NULL AND expired_at IS NULL AND remaining_pico > 0`).all(accountId) as Row[];
    return rows.map((r) => ({
      id: r.id as string,
      remaining: BigInt(r.remaining_pico as bigint),
      priority: Number(r.priority),
      effectiveAt: Number(r.effective_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      createdAt: Number(r.created_at),
    }));
  }

  async expireGrants(now: number): Promise<number> {
    this.localChanges++;
    return this.postings.expireGrants(now);
  }

  async voidGrant(grantId: string, now: number): Promise<GrantRecord | undefined> {
    this.localChanges++;
    return this.postings.voidGrant(grantId, now);
  }

  async balance(accountId: string, now: number): Promise<BalanceView> {
    const grants = await this.listGrants(accountId);
    let active = 0n;
    for (const g of grants) {
      if (g.voidedAt === null && g.expiredAt === null && g.effectiveAt <= now && (g.expiresAt === null || g.expiresAt > now)) {
        active += g.remaining;
      }
    }
    const held = this.openHoldTotal(accountId);
    const available = active - held;
    return { accountId, available: available > 0n ? available : 0n, held, grants };
  }

  private openHoldTotal(accountId: string): Pico {
    return sumColumn(this.db.prepare('SELECT amount_pico AS v FROM holds WHERE account_id = ? AND closed_at IS NULL')
      .iterate(accountId) as Iterable<Row>);
  }

  async commitBatch(batch: PostingBatch): Promise<void> {
    this.postings.commitBatch(batch);
  }

  /** Synchronous form for the journal. */
  commitBatchNow(batch: PostingBatch): void {
    this.postings.commitBatch(batch);
  }

  async openHolds(): Promise<OpenHold[]> {
    const rows = this.db.prepare('SELECT * FROM holds WHERE closed_at IS NULL ORDER BY created_at').all() as Row[];
    return rows.map(toOpenHold);
  }

  async recordUsage(usage: UsageRecord): Promise<void> {
    this.db.prepare(USAGE_INSERT).run(usageParams(usage));
  }

  async listUsage(query: UsageQuery): Promise<UsageRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM usage_records WHERE account_id = ? AND created_at >= ? AND created_at < ?
      ORDER BY created_at, request_id LIMIT ?`)
      .all(query.accountId, query.since ?? 0, query.until ?? Number.MAX_SAFE_INTEGER, query.limit ?? 1_000_000) as Row[];
    return rows.map(toUsage);
  }

  async spendByDay(accountId: string, since: number): Promise<Map<number, bigint>> {
    const rows = this.db.prepare(`SELECT created_at / 86400000 AS day, SUM(cost_pico - uncollected_pico) AS spent FROM usage_records
      WHERE account_id = ? AND created_at >= ? GROUP BY day`).all(accountId, since) as Row[];
    return new Map(rows.map((r) => [Number(r.day), BigInt(r.spent as bigint)]));
  }

  async listLedger(accountId: string): Promise<LedgerEntry[]> {
    return (this.db.prepare('SELECT * FROM ledger_entries WHERE account_id = ? ORDER BY seq').all(accountId) as Row[]).map(toLedgerEntry);
  }

  async ledgerTotals(accountId?: string): Promise<LedgerTotals> {
    return this.postings.totals(accountId);
  }

  async setBudget(input: NewBudget, now: number): Promise<Budget> {
    this.localChanges++;
    return this.budgets.set(input, now);
  }

  async listBudgets(accountId: string): Promise<Budget[]> {
    return this.budgets.list(accountId);
  }

  async deleteBudget(budgetId: string, now: number): Promise<boolean> {
    this.localChanges++;
    return this.budgets.delete(budgetId, now);
  }

  async budgetStatus(accountId: string, now: number): Promise<BudgetStatus[]> {
    return this.budgets.status(accountId, now);
  }

  async setAccountTier(accountId: string, tier: string): Promise<boolean> {
    this.localChanges++;
    return this.db.prepare('UPDATE accounts SET tier = ? WHERE id = ?').run(tier, accountId).changes > 0;
  }

  async purchaseHistory(accountId: string): Promise<PurchaseHistory> {
    const rows = this.db.prepare("SELECT amount_pico, created_at FROM grants WHERE account_id = ? AND source = 'purchase'").all(accountId) as Row[];
    let total = 0n;
    let first: number | null = null;
    for (const r of rows) {
      total += BigInt(r.amount_pico as bigint);
      const at = Number(r.created_at);
      if (first === null || at < first) first = at;
    }
    return { totalPurchased: total, firstPurchaseAt: first };
  }

  async listRateLimitOverrides(projectId: string): Promise<RateLimitOverride[]> {
    return (this.db.prepare('SELECT * FROM rate_limit_overrides WHERE project_id = ? ORDER BY family').all(projectId) as Row[]).map(toOverride);
  }

  async setRateLimitOverride(projectId: string, o: RateLimitOverride, now: number): Promise<void> {
    this.localChanges++;
    this.db.prepare(`INSERT INTO rate_limit_overrides (project_id, family, rpm, tpm, rpd, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (project_id, family) DO UPDATE SET rpm = excluded.rpm, tpm = excluded.tpm, rpd = excluded.rpd, updated_at = excluded.updated_at`)
      .run(projectId, o.family, o.rpm, o.tpm, o.rpd, now);
  }

  async listPrices(): Promise<Price[]> {
    return (this.db.prepare('SELECT * FROM prices ORDER BY model, effective_from').all() as Row[]).map(toPrice);
  }

  async insertPrices(rows: readonly Price[], source: 'builtin' | 'import' | 'operator', now: number): Promise<number> {
    this.localChanges++;
    const verb = source === 'builtin' ? 'INSERT OR IGNORE' : 'INSERT OR REPLACE';
    const stmt = this.db.prepare(`${verb} INTO prices (model, effective_from, input_pico_per_token, cached_input_pico_per_token,
      output_pico_per_token, max_output_tokens, max_input_tokens, mode, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let changed = 0;
    this.db.transaction(() => {
      for (const p of rows) {
        changed += stmt.run(p.model, p.effectiveFrom, p.inputPerToken, p.cachedInputPerToken, p.outputPerToken,
          p.maxOutputTokens, p.maxInputTokens, p.mode, source, now).changes;
      }
    }).immediate();
    return changed;
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  /**
   * Moves when anything that caches depend on changes: commits by other connections (PRAGMA data_version) and
   * admin writes made through this connection (a grant, a revocation, a price, a budget). The wallet's own
   * postings do not move it.
   */
  async changeToken(): Promise<number> {
    return this.dataVersion() + this.localChanges;
  }

  /** Synchronous form for the hot path: PRAGMA data_version moves when another connection commits. */
  dataVersion(): number {
    this.dataVersionStmt ??= this.db.prepare('PRAGMA data_version').pluck();
    return Number(this.dataVersionStmt.get() as bigint);
  }

  private dataVersionStmt: Statement | undefined;

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export function defaultPriority(source: NewGrant['source']): number {
  return DEFAULT_PRIORITY[source];
}
