// Ledger postings on SQLite: grants, expiry, voids, and the hold/settle batch. Each call is one transaction,
// and every ledger entry carries an idempotency key, so replaying a batch changes nothing.
import type { Statement } from 'better-sqlite3';
import { DEFAULT_PRIORITY } from '../../domain/ledger/lots.js';
import { newId } from '../../domain/ids/ids.js';
import type { GrantRecord, NewGrant } from '../records.js';
import type { HoldPosting, LedgerTotals, PostingBatch, SettlementPosting } from '../store.js';
import type { SqliteDb } from './database.js';
import { toGrant, USAGE_INSERT, usageParams } from '../rows.js';

type Row = Record<string, unknown>;

export class SqlitePostings {
  private readonly insertEntry: Statement;
  private readonly insertHold: Statement;
  private readonly closeHold: Statement;
  private readonly selectHold: Statement;
  private readonly selectRemaining: Statement;
  private readonly drawGrant: Statement;
  private readonly insertUsage: Statement;
  private readonly addBudgetSpend: Statement;

  constructor(private readonly db: SqliteDb) {
    // Replays are skipped by their unique key only: a NOT NULL or CHECK violation must fail the batch, never vanish.
    this.insertEntry = db.prepare(`INSERT INTO ledger_entries
      (account_id, kind, amount_pico, grant_id, request_id, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (idempotency_key) DO NOTHING`);
    this.insertHold = db.prepare(`INSERT INTO holds (request_id, account_id, amount_pico, project_id, key_id, model, endpoint,
      stream, created_at, budget_refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`);
    this.addBudgetSpend = db.prepare(`INSERT INTO budget_periods (budget_id, period_key, spent_pico) VALUES (?, ?, ?)
      ON CONFLICT (budget_id, period_key) DO UPDATE SET spent_pico = spent_pico + excluded.spent_pico`);
    this.closeHold = db.prepare('UPDATE holds SET closed_at = ? WHERE request_id = ? AND closed_at IS NULL');
    this.selectHold = db.prepare('SELECT closed_at FROM holds WHERE request_id = ?');
    this.selectRemaining = db.prepare('SELECT remaining_pico FROM grants WHERE id = ?');
    this.drawGrant = db.prepare('UPDATE grants SET remaining_pico = remaining_pico - ? WHERE id = ?');
    this.insertUsage = db.prepare(USAGE_INSERT);
  }

  insertGrant(grant: NewGrant, now: number): { grant: GrantRecord; created: boolean } {
    return this.db.transaction(() => {
      const key = grant.idempotencyKey ?? newId('grant-key');
      const existing = this.db.prepare('SELECT * FROM grants WHERE idempotency_key = ?').get(key) as Row | undefined;
      if (existing) {
        const found = toGrant(existing);
        if (found.accountId !== grant.accountId || found.amount !== grant.amount) {
          throw new IdempotencyConflictError(key);
        }
        return { grant: found, created: false };
      }
      const id = newId('grant');
      const priority = grant.priority ?? DEFAULT_PRIORITY[grant.source];
      const effectiveAt = grant.effectiveAt ?? now;
      const expiresAt = grant.expiresAt ?? null;
      this.db.prepare(`INSERT INTO grants (id, account_id, source, amount_pico, remaining_pico, priority, effective_at, expires_at,
        idempotency_key, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(id, grant.accountId, grant.source, grant.amount, grant.amount, priority, effectiveAt, expiresAt, key, grant.note ?? null, now);
      this.insertEntry.run(grant.accountId, 'grant', grant.amount, id, null, `grant:${id}`, now);
      const row = this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as Row;
      return { grant: toGrant(row), created: true };
    }).immediate();
  }

  expireGrants(now: number): number {
    return this.db.transaction(() => {
      const due = this.db.prepare(`SELECT id, account_id, remaining_pico FROM grants
        WHERE expires_at IS NOT NULL AND expires_at <= ? AND expired_at IS NULL AND voided_at IS NULL`).all(now) as Row[];
      for (const g of due) {
        const remaining = BigInt(g.remaining_pico as bigint);
        this.insertEntry.run(g.account_id, 'expire', remaining, g.id, null, `expire:${String(g.id)}`, now);
        this.db.prepare('UPDATE grants SET remaining_pico = 0, expired_at = ? WHERE id = ?').run(now, g.id);
      }
      return due.length;
    }).immediate();
  }

  voidGrant(grantId: string, now: number): GrantRecord | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM grants WHERE id = ?').get(grantId) as Row | undefined;
      if (!row) return undefined;
      const grant = toGrant(row);
      if (grant.voidedAt === null && grant.expiredAt === null) {
        this.insertEntry.run(grant.accountId, 'void', grant.remaining, grant.id, null, `void:${grant.id}`, now);
        this.db.prepare('UPDATE grants SET remaining_pico = 0, voided_at = ? WHERE id = ?').run(now, grant.id);
      }
      return toGrant(this.db.prepare('SELECT * FROM grants WHERE id = ?').get(grantId) as Row);
    }).immediate();
  }

  /** Holds first, then settlements; a settlement of an already-closed hold is skipped (idempotent replay). */
  commitBatch(batch: PostingBatch): void {
    this.db.transaction(() => {
      for (const h of batch.holds) this.postHold(h);
      for (const s of batch.settlements) this.postSettlement(s);
      for (const u of batch.usages) this.insertUsage.run(usageParams(u));
    }).immediate();
  }

  private postHold(h: HoldPosting): void {
    const m = h.meta;
    if (this.insertHold.run(h.requestId, h.accountId, h.amount, m.projectId, m.keyId, m.model, m.endpoint, m.stream ? 1 : 0, h.at,
      JSON.stringify(h.budgetRefs)).changes > 0) {
      this.insertEntry.run(h.accountId, 'hold', h.amount, null, h.requestId, `hold:${h.requestId}`, h.at);
    }
  }

  private postSettlement(s: SettlementPosting): void {
    const u = s.usage;
    this.postHold({
      requestId: s.requestId, accountId: s.accountId, amount: s.holdAmount, at: s.holdAt, budgetRefs: s.budgetRefs,
      meta: { projectId: u.projectId, keyId: u.keyId, model: u.model, endpoint: u.endpoint, stream: u.stream },
    });
    const hold = this.selectHold.get(s.requestId) as Row;
    if (hold.closed_at !== null) return;
    let captured = 0n;
    for (const draw of s.draws) {
      // A grant can have been expired or voided by another process since the wallet drew on it in memory:
      // never take more than it still holds; what could not be taken is recorded as uncollected.
      const row = this.selectRemaining.get(draw.lotId) as Row | undefined;
      const remaining = row ? BigInt(row.remaining_pico as bigint) : 0n;
      const take = remaining < draw.amount ? remaining : draw.amount;
      if (take === 0n) continue;
      this.drawGrant.run(take, draw.lotId);
      this.insertEntry.run(s.accountId, 'capture', take, draw.lotId, s.requestId, `capture:${s.requestId}:${draw.lotId}`, s.at);
      captured += take;
    }
    const release = s.holdAmount > captured ? s.holdAmount - captured : 0n;
    this.insertEntry.run(s.accountId, 'release', release, null, s.requestId, `release:${s.requestId}`, s.at);
    this.closeHold.run(s.at, s.requestId);
    if (captured > 0n) {
      for (const ref of s.budgetRefs) {
        const at = ref.lastIndexOf('@');
        this.addBudgetSpend.run(ref.slice(0, at), ref.slice(at + 1), captured);
      }
    }
    const wanted = s.draws.reduce((sum, d) => sum + d.amount, 0n);
    const usage = wanted > captured ? { ...s.usage, uncollected: s.usage.uncollected + (wanted - captured) } : s.usage;
    this.insertUsage.run(usageParams(usage));
  }

  /**
   * Totals summed in bigint row by row: SQLite's SUM() is 64-bit and overflows past ~9.2 million credits, while
   * totals across many grants may exceed that (DESIGN.md: sums use bigints).
   */
  totals(accountId?: string): LedgerTotals {
    const where = accountId ? 'WHERE account_id = ?' : '';
    const args = accountId ? [accountId] : [];
    const by = new Map<string, bigint>();
    for (const r of this.db.prepare(`SELECT kind, amount_pico FROM ledger_entries ${where}`).iterate(...args) as Iterable<Row>) {
      const kind = r.kind as string;
      by.set(kind, (by.get(kind) ?? 0n) + BigInt(r.amount_pico as bigint));
    }
    const remaining = sumColumn(this.db.prepare(`SELECT remaining_pico AS v FROM grants ${where}`).iterate(...args) as Iterable<Row>);
    const open = sumColumn(this.db.prepare(`SELECT amount_pico AS v FROM holds ${where ? `${where} AND` : 'WHERE'} closed_at IS NULL`)
      .iterate(...args) as Iterable<Row>);
    return {
      granted: by.get('grant') ?? 0n,
      captured: by.get('capture') ?? 0n,
      expired: by.get('expire') ?? 0n,
      voided: by.get('void') ?? 0n,
      refunded: by.get('refund') ?? 0n,
      remaining,
      openHolds: open,
    };
  }

}

export class IdempotencyConflictError extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} was already used for a different grant`);
  }
}

export function sumColumn(rows: Iterable<Row>): bigint {
  let sum = 0n;
  for (const r of rows) sum += BigInt(r.v as bigint);
  return sum;
}
