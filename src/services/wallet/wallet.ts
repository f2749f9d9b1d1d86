// The wallet port the request path uses: hold before the upstream call, settle after it.
import type { Pico } from '../../domain/money/pico.js';
import type { BalanceView, UsageRecord } from '../../store/records.js';
import type { HoldMeta } from '../../store/store.js';

export interface HoldRequest {
  requestId: string;
  accountId: string;
  amount: Pico;
  meta: HoldMeta;
}

/** Why a hold was refused: the balance, or a budget (which one, and how much of it is spent). */
export type HoldResult =
  | { ok: true }
  | { ok: false; available: Pico; budget?: { budgetId: string; spent: Pico; limit: Pico } };

export interface SettleRequest {
  requestId: string;
  accountId: string;
  /** What the call actually cost; may be 0 (upstream failure) or exceed the hold (usage above the estimate). */
  cost: Pico;
  /** The usage record to write with the settlement; its cost/uncollected/hold fields are filled in by the wallet. */
  usage: UsageRecord;
}

export interface SettleResult {
  captured: Pico;
  uncollected: Pico;
}

export interface RecoveryReport {
  released: number;
  releasedAmount: Pico;
}

export interface Wallet {
  /** Atomically reserves `amount` from the account's available balance, or refuses without reserving anything. */
  hold(req: HoldRequest): Promise<HoldResult>;
  /** Captures `cost` from the account's grants in burn order and releases the rest of the hold. Resolves once durable. */
  settle(req: SettleRequest): Promise<SettleResult>;
  /** A usage record for a request that was never held (e.g. refused for quota). Not awaited on the hot path. */
  recordUnheld(usage: UsageRecord): void;
  balance(accountId: string): Promise<BalanceView>;
  /** Forgets cached balances: another process changed the store (a CLI grant), so reload before the next decision. */
  invalidate(): void;
  /** Resolves holds a crash left open: each is released in full and written up as an `interrupted` usage record. */
  recover(): Promise<RecoveryReport>;
  /** Posts expiry for grants past their end. */
  expire(): Promise<number>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
