// Ledger postings on PostgreSQL. Lock order, everywhere: account_balances rows (by account id), then grants, then
// holds — so concurrent replicas never deadlock. Every ledger entry has an idempotency key; replays change nothing.
import type pg from 'pg';
import { DEFAULT_PRIORITY } from '../../domain/ledger/lots.js';
import { newId } from '../../domain/ids/ids.js';
import type { GrantRecord, NewGrant } from '../records.js';
import type { LedgerTotals } from '../store.js';
import { toGrant } from '../rows.js';
import { inTransaction } from './pool.js';
import { IdempotencyConflictError } from '../sqlite/postings.js';

type Row = Record<string, unknown>;

export class PgPostings {
  constructor(private readonly pool: pg.Pool) {}

  insertGrant(grant: NewGrant, now: number): Promise<{ grant: GrantRecord; created: boolean }> {
    const key = grant.idempotencyKey ?? newId('grant-key');
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT 1 FROM account_balances WHERE account_id = $1 FOR UPDATE', [grant.accountId]);
      const existing = (await c.query('SELECT * FROM grants WHERE idempotency_key = $1', [key])).rows[0] as Row | undefined;
      if (existing) {
        const found = toGrant(existing);
        if (found.accountId !== grant.accountId || found.amount !== grant.amount) throw new IdempotencyConflictError(key);
        return { grant: found, created: false };
      }
      const id = newId('grant');
      const row = (await c.query(`INSERT INTO grants (id, account_id, source, amount_pico, remaining_pico, priority, effective_at,
        expires_at, idempotency_key, note, created_at) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [id, grant.accountId, grant.source, grant.amount, grant.priority ?? DEFAULT_PRIORITY[grant.source],
        grant.effectiveAt ?? now, grant.expiresAt ?? null, key, grant.note ?? null, now])).rows[0] as Row;
      await c.query(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, idempotency_key, created_at)
        VALUES ($1, 'grant', $2, $3, $4, $5)`, [grant.accountId, grant.amount, id, `grant:${id}`, now]);
      return { grant: toGrant(row), created: true };
    });
  }

  async expireGrants(now: number): Promise<number> {
    const due = (await this.pool.query(`SELECT DISTINCT account_id FROM grants WHERE expires_at IS NOT NULL AND expires_at <= $1
      AND expired_at IS NULL AND voided_at IS NULL ORDER BY account_id`, [now])).rows as Row[];
    let count = 0;
    for (const { account_id: accountId } of due) {
      count += await inTransaction(this.pool, async (c) => {
        await c.query('SELECT 1 FROM account_balances WHERE account_id = $1 FOR UPDATE', [accountId]);
        const grants = (await c.query(`SELECT id, remaining_pico FROM grants WHERE account_id = $1 AND expires_at IS NOT NULL
          AND expires_at <= $2 AND expired_at IS NULL AND voided_at IS NULL FOR UPDATE`, [accountId, now])).rows as Row[];
        for (const g of grants) {
          await c.query(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, idempotency_key, created_at)
            VALUES ($1, 'expire', $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
          [accountId, g.remaining_pico, g.id, `expire:${String(g.id)}`, now]);
          await c.query('UPDATE grants SET remaining_pico = 0, expired_at = $1 WHERE id = $2', [now, g.id]);
        }
        return grants.length;
      });
    }
    return count;
  }

  async voidGrant(grantId: string, now: number): Promise<GrantRecord | undefined> {
    const found = (await this.pool.query('SELECT account_id FROM grants WHERE id = $1', [grantId])).rows[0] as Row | undefined;
    if (!found) return undefined;
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT 1 FROM account_balances WHERE account_id = $1 FOR UPDATE', [found.account_id]);
      const grant = toGrant((await c.query('SELECT * FROM grants WHERE id = $1 FOR UPDATE', [grantId])).rows[0] as Row);
      if (grant.voidedAt === null && grant.expiredAt === null) {
        await c.query(`INSERT INTO ledger_entries (account_id, kind, amount_pico, grant_id, idempotency_key, created_at)
          VALUES ($1, 'void', $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
        [grant.accountId, grant.remaining, grant.id, `void:${grant.id}`, now]);
        await c.query('UPDATE grants SET remaining_pico = 0, voided_at = $1 WHERE id = $2', [now, grant.id]);
      }
      return toGrant((await c.query('SELECT * FROM grants WHERE id = $1', [grantId])).rows[0] as Row);
    });
  }

  async totals(accountId?: string): Promise<LedgerTotals> {
    const where = accountId ? 'WHERE account_id = $1' : '';
    const args = accountId ? [accountId] : [];
    const sums = (await this.pool.query(`SELECT kind, COALESCE(SUM(amount_pico), 0) AS s FROM ledger_entries ${where} GROUP BY kind`, args)).rows as Row[];
    const by = new Map(sums.map((r) => [r.kind as string, BigInt(r.s as bigint)]));
    const remaining = (await this.pool.query(`SELECT COALESCE(SUM(remaining_pico), 0) AS s FROM grants ${where}`, args)).rows[0] as Row;
    const open = (await this.pool.query(`SELECT COALESCE(SUM(amount_pico), 0) AS s FROM holds ${where ? `${where} AND` : 'WHERE'} closed_at IS NULL`, args)).rows[0] as Row;
    return {
      granted: by.get('grant') ?? 0n,
      captured: by.get('capture') ?? 0n,
      expired: by.get('expire') ?? 0n,
      voided: by.get('void') ?? 0n,
      refunded: by.get('refund') ?? 0n,
      remaining: BigInt(remaining.s as bigint),
      openHolds: BigInt(open.s as bigint),
    };
  }
}
