// The persistence port of the Batch API: who owns each upstream file and batch, and each batch's hold and settlement.
// Adapters: src/store/sqlite/batch-store.ts and src/store/postgres/batch-store.ts (migration 008 on each).
import type { Pico } from '../../domain/money/pico.js';

export type BatchState = 'pending' | 'settling' | 'settled';

export interface BatchRow {
  batchId: string;
  accountId: string;
  projectId: string | null;
  keyId: string | null;
  model: string;
  /** The batch's endpoint as OpenAI names it, e.g. "/v1/chat/completions". */
  endpoint: string;
  inputFileId: string;
  /** What is held for the batch: every line planned as the hot path plans it, priced at batch prices. */
  estimate: Pico;
  /** The wallet request id the batch's current hold is under (a new one after each re-hold). */
  holdRequestId: string;
  holdGeneration: number;
  state: BatchState;
  cost: Pico | null;
  createdAt: number;
  settledAt: number | null;
}

/** What the ledger says about a hold: still open, ended by a settlement that charged usage, or ended otherwise. */
export type HoldFate = 'open' | 'settled' | 'released' | 'unknown';

export interface BatchStore {
  recordFile(fileId: string, accountId: string, now: number): Promise<void>;
  fileOwner(fileId: string): Promise<string | undefined>;
  forgetFile(fileId: string): Promise<void>;
  /** Which of `fileIds` the account owns (to filter an upstream list). */
  filesOwnedBy(accountId: string, fileIds: readonly string[]): Promise<Set<string>>;
  batchesOwnedBy(accountId: string, batchIds: readonly string[]): Promise<Set<string>>;
  insertBatch(row: BatchRow): Promise<void>;
  getBatch(batchId: string): Promise<BatchRow | undefined>;
  /** Batches not settled yet, oldest first. */
  unsettled(limit: number): Promise<BatchRow[]>;
  /** pending → settling, only while the batch is still under `holdRequestId`; true for the one caller that wins. */
  claimSettlement(batchId: string, holdRequestId: string): Promise<boolean>;
  /** settling → pending again: the settlement failed before the wallet took it. */
  releaseClaim(batchId: string, holdRequestId: string): Promise<void>;
  /** `cost` null when only the ledger knows it (the settlement committed, this row's update did not). */
  markSettled(batchId: string, holdRequestId: string, cost: Pico | null, now: number): Promise<void>;
  /** Moves the batch to a new hold (after the old one was released), only if it is still under `fromHold`. */
  moveHold(batchId: string, fromHold: string, toHold: string, generation: number): Promise<boolean>;
  holdFate(requestId: string): Promise<HoldFate>;
}
