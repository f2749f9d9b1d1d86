// Row ↔ record conversion shared by both RedemptionStore adapters (snake_case columns, bigint or number cells).
import type { BatchRecord, CodeRecord } from './redemption-store.js';

export type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toBatch(r: Row): BatchRecord {
  return {
    id: String(r.id), amount: BigInt(r.amount_pico as bigint), count: num(r.code_count), expiresAt: numOrNull(r.expires_at),
    perAccountLimit: numOrNull(r.per_account_limit), grantExpiresDays: numOrNull(r.grant_expires_days), note: strOrNull(r.note),
    createdAt: num(r.created_at), redeemed: num(r.redeemed ?? 0),
  };
}

export function toCode(r: Row): CodeRecord {
  return {
    id: String(r.id), batchId: String(r.batch_id), hint: String(r.hint), expiresAt: numOrNull(r.expires_at),
    redeemedBy: strOrNull(r.redeemed_by), redeemedAt: numOrNull(r.redeemed_at), grantId: strOrNull(r.grant_id),
  };
}

/** Batch columns with the redeemed count, for SELECT … FROM redemption_batches b. */
export const BATCH_COLUMNS = `b.*, (SELECT COUNT(*) FROM redemption_codes rc WHERE rc.batch_id = b.id AND rc.redeemed_at IS NOT NULL) AS redeemed`;
