// RedemptionStore on the SQLite file. A claim is one immediate transaction: the per-account count and the
// conditional UPDATE run under SQLite's single writer lock, so even a CLI process on the same file cannot race it.
import type { BatchRecord, ClaimOutcome, CodeRecord, NewBatch, RedemptionStore } from '../../services/redemption/redemption-store.js';
import { BATCH_COLUMNS, toBatch, toCode, type Row } from '../../services/redemption/redemption-rows.js';
import type { LedgerEntry } from '../records.js';
import { toLedgerEntry } from '../rows.js';
import type { SqliteDb } from './database.js';

export class SqliteRedemptionStore implements RedemptionStore {
  /** `db` is the store's open database (SqliteStore.db), migrated with migrations/sqlite/013_redemption_codes.sql. */
  constructor(private readonly db: SqliteDb) {}

  async createBatch(b: NewBatch): Promise<BatchRecord> {
    const insertCode = this.db.prepare(`INSERT INTO redemption_codes (id, batch_id, code_hash, hint, expires_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO redemption_batches (id, amount_pico, code_count, expires_at, per_account_limit, grant_expires_days, note, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(b.id, b.amount, b.count, b.expiresAt, b.perAccountLimit, b.grantExpiresDays, b.note, b.createdAt);
      for (const c of b.codes) insertCode.run(c.id, b.id, c.hash, c.hint, b.expiresAt, b.createdAt);
    }).immediate();
    return (await this.getBatch(b.id))!;
  }

  async getBatch(id: string): Promise<BatchRecord | undefined> {
    const row = this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b WHERE b.id = ?`).get(id) as Row | undefined;
    return row && toBatch(row);
  }

  async listBatches(): Promise<BatchRecord[]> {
    return (this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b ORDER BY b.created_at DESC, b.id DESC`).all() as Row[]).map(toBatch);
  }

  async claim(hash: string, accountId: string, now: number): Promise<ClaimOutcome> {
    return this.db.transaction((): ClaimOutcome => {
      const found = this.db.prepare('SELECT * FROM redemption_codes WHERE code_hash = ?').get(hash) as Row | undefined;
      if (!found) return { kind: 'unknown' };
      const code = toCode(found);
      const batch = toBatch(this.db.prepare(`SELECT ${BATCH_COLUMNS} FROM redemption_batches b WHERE b.id = ?`).get(code.batchId) as Row);
      if (code.redeemedAt !== null) return { kind: 'already_redeemed', code, batch };
      if (code.expiresAt !== null && code.expiresAt <= now) return { kind: 'expired' };
      if (batch.perAccountLimit !== null) {
        const used = Number(this.db.prepare('SELECT COUNT(*) AS n FROM redemption_codes WHERE batch_id = ? AND redeemed_by = ?')
          .pluck().get(batch.id, accountId) as bigint);
        if (used >= batch.perAccountLimit) return { kind: 'limit_reached', batch };
      }
      const changed = this.db.prepare(`UPDATE redemption_codes SET redeemed_by = ?, redeemed_at = ?
        WHERE id = ? AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`).run(accountId, now, code.id, now).changes;
      if (changed !== 1) return { kind: 'already_redeemed', code, batch };
      return { kind: 'claimed', code: { ...code, redeemedBy: accountId, redeemedAt: now }, batch: { ...batch, redeemed: batch.redeemed + 1 } };
    }).immediate();
  }

  async setGrant(codeId: string, grantId: string): Promise<void> {
    this.db.prepare('UPDATE redemption_codes SET grant_id = ? WHERE id = ? AND grant_id IS NULL').run(grantId, codeId);
  }

  async pending(accountId?: string): Promise<Array<{ code: CodeRecord; batch: BatchRecord }>> {
    const rows = (accountId === undefined
      ? this.db.prepare('SELECT * FROM redemption_codes WHERE redeemed_at IS NOT NULL AND grant_id IS NULL').all()
      : this.db.prepare('SELECT * FROM redemption_codes WHERE redeemed_by = ? AND grant_id IS NULL').all(accountId)) as Row[];
    const out: Array<{ code: CodeRecord; batch: BatchRecord }> = [];
    for (const row of rows) {
      const code = toCode(row);
      out.push({ code, batch: (await this.getBatch(code.batchId))! });
    }
    return out;
  }

  async redeemedBy(accountId: string): Promise<CodeRecord[]> {
    return (this.db.prepare('SELECT * FROM redemption_codes WHERE redeemed_by = ? ORDER BY redeemed_at DESC, id DESC').all(accountId) as Row[]).map(toCode);
  }

  async refunds(accountId: string): Promise<LedgerEntry[]> {
    return (this.db.prepare("SELECT * FROM ledger_entries WHERE account_id = ? AND kind = 'refund' ORDER BY seq DESC").all(accountId) as Row[]).map(toLedgerEntry);
  }
}
