// Row mapping shared by both BatchStore adapters (SQLite gives bigints, PostgreSQL strings for BIGINT columns).
import type { BatchRow, BatchState, HoldFate } from './batch-store.js';

export type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const int = (v: unknown): number => Number(v);
const pico = (v: unknown): bigint => BigInt(String(v));

export function toBatchRow(r: Row): BatchRow {
  return {
    batchId: String(r.batch_id), accountId: String(r.account_id), projectId: str(r.project_id), keyId: str(r.key_id),
    model: String(r.model), endpoint: String(r.endpoint), inputFileId: String(r.input_file_id), estimate: pico(r.estimate_pico),
    holdRequestId: String(r.hold_request_id), holdGeneration: int(r.hold_generation), state: String(r.state) as BatchState,
    cost: r.cost_pico === null || r.cost_pico === undefined ? null : pico(r.cost_pico), createdAt: int(r.created_at),
    settledAt: r.settled_at === null || r.settled_at === undefined ? null : int(r.settled_at),
  };
}

export function batchParams(b: BatchRow): unknown[] {
  return [b.batchId, b.accountId, b.projectId, b.keyId, b.model, b.endpoint, b.inputFileId, b.estimate, b.holdRequestId,
    b.holdGeneration, b.state, b.cost, b.createdAt, b.settledAt];
}

export const BATCH_COLUMNS = 'batch_id, account_id, project_id, key_id, model, endpoint, input_file_id, estimate_pico, hold_request_id, hold_generation, state, cost_pico, created_at, settled_at';

/** From the hold row (closed or not) and the usage record its settlement wrote. */
export function fateOf(hold: Row | undefined, usageStatus: unknown): HoldFate {
  if (hold === undefined) return 'unknown';
  if (hold.closed_at === null || hold.closed_at === undefined) return 'open';
  return usageStatus === 'ok' ? 'settled' : 'released';
}
