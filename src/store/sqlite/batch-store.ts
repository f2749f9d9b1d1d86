// BatchStore on the SQLite file (migrations/sqlite/008_batches.sql). Claims are conditional updates, so only one
// caller settles a batch even if two poll it at once.
import type { Pico } from '../../domain/money/pico.js';
import type { BatchRow, BatchStore, HoldFate } from '../../services/batches/batch-store.js';
import { BATCH_COLUMNS, batchParams, fateOf, toBatchRow, type Row } from '../../services/batches/batch-rows.js';
import type { SqliteDb } from './database.js';

export class SqliteBatchStore implements BatchStore {
  /** `db` is the store's open database (SqliteStore.db). */
  constructor(private readonly db: SqliteDb) {}

  async recordFile(fileId: string, accountId: string, now: number): Promise<void> {
    this.db.prepare('INSERT INTO batch_files (file_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT (file_id) DO NOTHING')
      .run(fileId, accountId, now);
  }

  async fileOwner(fileId: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT account_id FROM batch_files WHERE file_id = ?').get(fileId) as Row | undefined;
    return row === undefined ? undefined : String(row.account_id);
  }

  async forgetFile(fileId: string): Promise<void> {
    this.db.prepare('DELETE FROM batch_files WHERE file_id = ?').run(fileId);
  }

  async filesOwnedBy(accountId: string, fileIds: readonly string[]): Promise<Set<string>> {
    return this.owned('batch_files', 'file_id', accountId, fileIds);
  }

  async batchesOwnedBy(accountId: string, batchIds: readonly string[]): Promise<Set<string>> {
    return this.owned('batches', 'batch_id', accountId, batchIds);
  }

  private owned(table: string, column: string, accountId: string, ids: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      if (chunk.length === 0) break;
      const rows = this.db.prepare(`SELECT ${column} AS id FROM ${table} WHERE account_id = ? AND ${column} IN (${chunk.map(() => '?').join(', ')})`)
        .all(accountId, ...chunk) as Row[];
      for (const r of rows) out.add(String(r.id));
    }
    return out;
  }

  async insertBatch(row: BatchRow): Promise<void> {
    this.db.prepare(`INSERT INTO batches (${BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...batchParams(row));
  }

  async getBatch(batchId: string): Promise<BatchRow | undefined> {
    const row = this.db.prepare('SELECT * FROM batches WHERE batch_id = ?').get(batchId) as Row | undefined;
    return row === undefined ? undefined : toBatchRow(row);
  }

  async unsettled(limit: number): Promise<BatchRow[]> {
    const rows = this.db.prepare("SELECT * FROM batches WHERE state <> 'settled' ORDER BY created_at LIMIT ?").all(limit) as Row[];
    return rows.map(toBatchRow);
  }

  async claimSettlement(batchId: string, holdRequestId: string): Promise<boolean> {
    const r = this.db.prepare("UPDATE batches SET state = 'settling' WHERE batch_id = ? AND hold_request_id = ? AND state = 'pending'")
      .run(batchId, holdRequestId);
    return Number(r.changes) === 1;
  }

  async releaseClaim(batchId: string, holdRequestId: string): Promise<void> {
    this.db.prepare("UPDATE batches SET state = 'pending' WHERE batch_id = ? AND hold_request_id = ? AND state = 'settling'").run(batchId, holdRequestId);
  }

  async markSettled(batchId: string, holdRequestId: string, cost: Pico | null, now: number): Promise<void> {
    this.db.prepare("UPDATE batches SET state = 'settled', cost_pico = ?, settled_at = ? WHERE batch_id = ? AND hold_request_id = ?")
      .run(cost, now, batchId, holdRequestId);
  }

  async moveHold(batchId: string, fromHold: string, toHold: string, generation: number): Promise<boolean> {
    const r = this.db.prepare(`UPDATE batches SET hold_request_id = ?, hold_generation = ?, state = 'pending'
      WHERE batch_id = ? AND hold_request_id = ? AND state <> 'settled'`).run(toHold, generation, batchId, fromHold);
    return Number(r.changes) === 1;
  }

  async holdFate(requestId: string): Promise<HoldFate> {
    const hold = this.db.prepare('SELECT closed_at FROM holds WHERE request_id = ?').get(requestId) as Row | undefined;
    const usage = this.db.prepare('SELECT status FROM usage_records WHERE request_id = ?').get(requestId) as Row | undefined;
    return fateOf(hold, usage?.status);
  }
}
