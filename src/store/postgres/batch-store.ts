// BatchStore on PostgreSQL (migrations/postgres/008_batches.sql), shared by every replica. Claims and hold moves are
// single conditional UPDATEs, so exactly one replica (or poller) settles or re-holds a batch.
import type pg from 'pg';
import type { Pico } from '../../domain/money/pico.js';
import type { BatchRow, BatchStore, HoldFate } from '../../services/batches/batch-store.js';
import { BATCH_COLUMNS, batchParams, fateOf, toBatchRow, type Row } from '../../services/batches/batch-rows.js';

export class PgBatchStore implements BatchStore {
  /** `pool` is the store's pool (PgStore.pool). */
  constructor(private readonly pool: pg.Pool) {}

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return (await this.pool.query(sql, params)).rowCount === 1;
  }

  async recordFile(fileId: string, accountId: string, now: number): Promise<void> {
    await this.pool.query('INSERT INTO batch_files (file_id, account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (file_id) DO NOTHING',
      [fileId, accountId, now]);
  }

  async fileOwner(fileId: string): Promise<string | undefined> {
    const [row] = await this.rows('SELECT account_id FROM batch_files WHERE file_id = $1', [fileId]);
    return row === undefined ? undefined : String(row.account_id);
  }

  async forgetFile(fileId: string): Promise<void> {
    await this.pool.query('DELETE FROM batch_files WHERE file_id = $1', [fileId]);
  }

  async filesOwnedBy(accountId: string, fileIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.rows('SELECT file_id AS id FROM batch_files WHERE account_id = $1 AND file_id = ANY($2)', [accountId, fileIds]);
    return new Set(rows.map((r) => String(r.id)));
  }

  async batchesOwnedBy(accountId: string, batchIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.rows('SELECT batch_id AS id FROM batches WHERE account_id = $1 AND batch_id = ANY($2)', [accountId, batchIds]);
    return new Set(rows.map((r) => String(r.id)));
  }

  async insertBatch(row: BatchRow): Promise<void> {
    const params = batchParams(row).map((v) => (typeof v === 'bigint' ? v.toString() : v));
    await this.pool.query(`INSERT INTO batches (${BATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, params);
  }

  async getBatch(batchId: string): Promise<BatchRow | undefined> {
    const [row] = await this.rows('SELECT * FROM batches WHERE batch_id = $1', [batchId]);
    return row === undefined ? undefined : toBatchRow(row);
  }

  async unsettled(limit: number): Promise<BatchRow[]> {
    return (await this.rows("SELECT * FROM batches WHERE state <> 'settled' ORDER BY created_at LIMIT $1", [limit])).map(toBatchRow);
  }

  claimSettlement(batchId: string, holdRequestId: string): Promise<boolean> {
    return this.changed("UPDATE batches SET state = 'settling' WHERE batch_id = $1 AND hold_request_id = $2 AND state = 'pending'",
      [batchId, holdRequestId]);
  }

  async releaseClaim(batchId: string, holdRequestId: string): Promise<void> {
    await this.pool.query("UPDATE batches SET state = 'pending' WHERE batch_id = $1 AND hold_request_id = $2 AND state = 'settling'", [batchId, holdRequestId]);
  }

  async markSettled(batchId: string, holdRequestId: string, cost: Pico | null, now: number): Promise<void> {
    await this.pool.query("UPDATE batches SET state = 'settled', cost_pico = $1, settled_at = $2 WHERE batch_id = $3 AND hold_request_id = $4",
      [cost === null ? null : cost.toString(), now, batchId, holdRequestId]);
  }

  moveHold(batchId: string, fromHold: string, toHold: string, generation: number): Promise<boolean> {
    return this.changed(`UPDATE batches SET hold_request_id = $1, hold_generation = $2, state = 'pending'
      WHERE batch_id = $3 AND hold_request_id = $4 AND state <> 'settled'`, [toHold, generation, batchId, fromHold]);
  }

  async holdFate(requestId: string): Promise<HoldFate> {
    const [hold] = await this.rows('SELECT closed_at FROM holds WHERE request_id = $1', [requestId]);
    const [usage] = await this.rows('SELECT status FROM usage_records WHERE request_id = $1', [requestId]);
    return fateOf(hold, usage?.status);
  }
}
