// The RedemptionStore port: code batches, their hashed codes, and the one conditional claim that decides a
// redemption. Adapters: src/store/sqlite/redemption-store.ts and src/store/postgres/redemption-store.ts.
import type { Pico } from '../../domain/money/pico.js';
import type { BatchRequest } from '../../domain/redemption/batch.js';
import type { LedgerEntry } from '../../store/records.js';

export interface BatchRecord {
  id: string;
  amount: Pico;
  count: number;
  expiresAt: number | null;
  perAccountLimit: number | null;
  grantExpiresDays: number | null;
  note: string | null;
  createdAt: number;
  /** Codes of the batch redeemed so far. */
  redeemed: number;
}

export interface CodeRecord {
  id: string;
  batchId: string;
  /** The last group of the code (…-WC9A); the code itself is never stored. */
  hint: string;
  expiresAt: number | null;
  redeemedBy: string | null;
  redeemedAt: number | null;
  /** Set once the grant exists; null on a claimed code means its grant is still to be made (see pending()). */
  grantId: string | null;
}

export interface NewBatch extends BatchRequest {
  id: string;
  createdAt: number;
  codes: ReadonlyArray<{ id: string; hash: string; hint: string }>;
}

/** How a claim ended. Only `claimed` moved anything; the others leave every row as it was. */
export type ClaimOutcome =
  | { kind: 'claimed'; code: CodeRecord; batch: BatchRecord }
  | { kind: 'unknown' }
  | { kind: 'already_redeemed'; code: CodeRecord; batch: BatchRecord }
  | { kind: 'expired' }
  | { kind: 'limit_reached'; batch: BatchRecord };

export interface RedemptionStore {
  /** Writes the batch and all its codes in one transaction. */
  createBatch(batch: NewBatch): Promise<BatchRecord>;
  getBatch(id: string): Promise<BatchRecord | undefined>;
  listBatches(): Promise<BatchRecord[]>;
  /**
   * Redeems the code with this hash for the account, exactly once across every process: one conditional UPDATE
   * (`redeemed_at IS NULL AND not expired`) whose row count decides, after the batch's per-account limit was checked
   * under the batch's lock.
   */
  claim(hash: string, accountId: string, now: number): Promise<ClaimOutcome>;
  /** Records the grant a claimed code produced (idempotent: only fills an empty grant_id). */
  setGrant(codeId: string, grantId: string): Promise<void>;
  /** Claimed codes whose grant is not recorded yet (a crash between claim and grant), of one account or all. */
  pending(accountId?: string): Promise<Array<{ code: CodeRecord; batch: BatchRecord }>>;
  /** Every code the account redeemed, newest first. */
  redeemedBy(accountId: string): Promise<CodeRecord[]>;
  /** The account's `refund` ledger entries, newest first (receipts). */
  refunds(accountId: string): Promise<LedgerEntry[]>;
}
