// RedemptionStore on PostgreSQL, shared by every replica. A claim is one transaction that locks the code's batch
// row (so a per-account limit cannot be overshot by two codes redeemed at once), then one conditional UPDATE whose
// row count decides: two replicas racing for one code cannot both see a row change.
import type pg from 'pg';
import type { BatchRecord, ClaimOutcome, CodeRecord, NewBatch, RedemptionStore } from '../../services/redemption/redemption-store.js';
import { BATCH_COLUMNS, toBatch, toCode, type Row } from '../../services/redemption/redemption-rows.js';
import type { LedgerEntry } from '../records.js';
import { toLedgerEntry } from '../rows.js';
import { inTransaction } from './pool.js';

const INSERT_CHUNK = 1000;

export class PgRedemptionStore implements RedemptionStore {
  /** `pool` is the store's pool (PgStore.pool), migrated with migrations/postgres/013_redemption_codes.sql. */
  constructor(private readonly pool: pg.Pool) {}

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  async createBatch(b: NewBatch): Promise<BatchRecord> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`INSERT INTO redemption_batches (id, amount_pico, code_count, expires_at, per_account_limit, grant_expires_days, note, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [b.id, b.amount.toString(), b.count, b.expiresAt, b.perAccountLimit, b.grantExpiresDays, b.note, b.createdAt]);
      for (let i = 0; i < b.codes.length; i += INSERT_CHUNK) {
        const chunk = b.codes.slice(i, i + INSERT_CHUNK);
        await client.query(`INSERT INTO redemption_codes (id, batch_id, code_hash, hint, expires_at, created_at)
          SELECT id, $1, hash, hint, $2::bigint, $3::bigint FROM unnest($4::text[], $5::text[], $6::text[]) AS t(id, hash, hint)`,
        [b.id, b.expiresAt, b.createdAt, chunk.map((c) => c.id), chunk.map((c) => c.hash), chunk.map((c) => c.hint)]);
      }
    });
    return (await this.getBatch(b.id))!;
  }

  async getBatch(id: string): Promise<BatchRecord | undefined> {
    const [row] = await this.rows(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b WHERE b.id = $1`, [id]);
    return row && toBatch(row);
  }

  async listBatches(): Promise<BatchRecord[]> {
    return (await this.rows(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b ORDER BY b.created_at DESC, b.id DESC`)).map(toBatch);
  }

  async claim(hash: string, accountId: string, now: number): Promise<ClaimOutcome> {
    return inTransaction(this.pool, async (client): Promise<ClaimOutcome> => {
      const found = (await client.query('SELECT * FROM redemption_codes WHERE code_hash = $1', [hash])).rows[0] as Row | undefined;
      if (!found) return { kind: 'unknown' };
      const code = toCode(found);
      // Serialises redemptions within one batch (the per-account count below must not race), then re-reads the code.
      await client.query('SELECT id FROM redemption_batches WHERE id = $1 FOR UPDATE', [code.batchId]);
      const batch = toBatch((await client.query(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b WHERE b.id = $1`, [code.batchId])).rows[0] as Row);
      const current = toCode((await client.query('SELECT * FROM redemption_codes WHERE id = $1', [code.id])).rows[0] as Row);
      if (current.redeemedAt !== null) return { kind: 'already_redeemed', code: current, batch };
      if (current.expiresAt !== null && current.expiresAt <= now) return { kind: 'expired' };
      if (batch.perAccountLimit !== null) {
        const { rows } = await client.query('SELECT COUNT(*) AS n FROM redemption_codes WHERE batch_id = $1 AND redeemed_by = $2', [batch.id, accountId]);
        if (Number((rows[0] as Row).n) >= batch.perAccountLimit) return { kind: 'limit_reached', batch };
      }
      const { rowCount } = await client.query(`UPDATE redemption_codes SET redeemed_by = $1, redeemed_at = $2
        WHERE id = $3 AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, [accountId, now, code.id]);
      if (rowCount !== 1) return { kind: 'already_redeemed', code: current, batch };
      return { kind: 'claimed', code: { ...current, redeemedBy: accountId, redeemedAt: now }, batch: { ...batch, redeemed: batch.redeemed + 1 } };
    });
  }

  async setGrant(codeId: string, grantId: string): Promise<void> {
    await this.pool.query('UPDATE redemption_codes SET grant_id = $1 WHERE id = $2 AND grant_id IS NULL', [grantId, codeId]);
  }

  async pending(accountId?: string): Promise<Array<{ code: CodeRecord; batch: BatchRecord }>> {
    const rows = accountId === undefined
      ? await this.rows('SELECT * FROM redemption_codes WHERE redeemed_at IS NOT NULL AND grant_id IS NULL')
      : await this.rows('SELECT * FROM redemption_codes WHERE redeemed_by = $1 AND grant_id IS NULL', [accountId]);
    const out: Array<{ code: CodeRecord; batch: BatchRecord }> = [];
    for (const row of rows) {
      const code = toCode(row);
      out.push({ code, batch: (await this.getBatch(code.batchId))! });
    }
    return out;
  }

  async redeemedBy(accountId: string): Promise<CodeRecord[]> {
    return (await this.rows('SELECT * FROM redemption_codes WHERE redeemed_by = $1 ORDER BY redeemed_at DESC, id DESC', [accountId])).map(toCode);
  }

  async refunds(accountId: string): Promise<LedgerEntry[]> {
    return (await this.rows("SELECT * FROM ledger_entries WHERE account_id = $1 AND kind = 'refund' ORDER BY seq DESC", [accountId])).map(toLedgerEntry);
  }
}
